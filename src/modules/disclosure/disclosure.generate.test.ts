import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generateConvenience, generatePublications } from './disclosure.generate.js';
import {
  CONVENIENCE_CLASSES,
  DISCLOSURE_DOMAINS,
  NewConvenience,
  NewPublication,
} from './disclosure.types.js';

describe('city-scale generator', () => {
  test('is deterministic for a seed', () => {
    assert.deepEqual([...generatePublications(50, 3)], [...generatePublications(50, 3)]);
    assert.deepEqual([...generateConvenience(50, 3)], [...generateConvenience(50, 3)]);
  });
  test('covers the 22 domains and the 15 classes, and every record is valid input', () => {
    const pubs = [...generatePublications(440)];
    assert.equal(new Set(pubs.map((p) => p.domain)).size, DISCLOSURE_DOMAINS.length);
    for (const p of pubs) assert.ok(NewPublication.safeParse(p).success, p.title);
    const convs = [...generateConvenience(300)];
    assert.equal(new Set(convs.map((c) => c.class)).size, CONVENIENCE_CLASSES.length);
    for (const c of convs) assert.ok(NewConvenience.safeParse(c).success, c.name);
  });
  test('titles vary (searchable text, not one template repeated)', () => {
    const titles = new Set([...generatePublications(2000)].map((p) => p.title));
    assert.ok(titles.size > 1500, `${titles.size} distinct titles of 2000`);
  });
});
