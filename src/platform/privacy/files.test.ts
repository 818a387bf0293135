import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { createFileSealer } from './files.js';

describe('uploaded files at rest', () => {
  const secret = Buffer.alloc(32, 3);
  const scan = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(4096, 0x41)]);

  test('sealed and opened back only as the row it was sealed for', () => {
    const s = createFileSealer(secret);
    const sealed = s.seal(scan, 'case-file:k1');
    assert.ok(!sealed.includes(scan.subarray(0, 64)), 'no plaintext in the sealed bytes');
    assert.deepEqual(s.open(sealed, 'case-file:k1'), scan);
    assert.throws(() => s.open(sealed, 'case-file:k2'));
    assert.throws(() => createFileSealer(Buffer.alloc(32, 4)).open(sealed, 'case-file:k1'));
  });

  test('AES-256-GCM › a changed byte anywhere (header, IV, body, tag) is refused', () => {
    const s = createFileSealer(secret);
    const sealed = s.seal(scan, 'x');
    for (const i of [5, 10, 100, sealed.length - 1]) {
      const bad = Buffer.from(sealed);
      bad[i] = bad[i]! ^ 1;
      assert.throws(() => s.open(bad, 'x'), `byte ${i}`);
    }
  });

  test('a plain upload is not taken for a sealed file', () => {
    const s = createFileSealer(secret);
    assert.equal(s.generationOf(scan), undefined);
    assert.throws(() => s.open(scan, 'x'));
  });

  test('the content key is keyed: not the bare SHA-256, the same for the same bytes, another under another secret', () => {
    const s = createFileSealer(secret);
    const sha = createHash('sha256').update(scan).digest('hex');
    assert.notEqual(s.contentKey(scan), sha);
    assert.equal(s.contentKey(scan), createFileSealer(secret, 2).contentKey(scan), 'stable across rotations');
    assert.notEqual(s.contentKey(scan), createFileSealer(Buffer.alloc(32, 4)).contentKey(scan));
  });

  test('key rotation › a file sealed under an earlier generation still opens; new ones name the new generation', () => {
    const g1 = createFileSealer(secret, 1);
    const g2 = createFileSealer(secret, 2);
    const old = g1.seal(scan, 'x');
    assert.equal(g2.generationOf(old), 1);
    assert.deepEqual(g2.open(old, 'x'), scan);
    const fresh = g2.seal(scan, 'x');
    assert.equal(g2.generationOf(fresh), 2);
    // the generation in the header is authenticated: changed, the file does not open
    const swapped = Buffer.from(fresh);
    swapped.writeUInt16BE(1, 4);
    assert.throws(() => g2.open(swapped, 'x'));
  });
});
