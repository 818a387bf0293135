import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { type TongbanApp, buildApp } from '../../app.js';
import { testConfig } from '../../config/index.js';
import { sql } from '../../platform/db/index.js';
import { createLogger } from '../../platform/log.js';
import { openTestStore } from '../../../test/helpers/store.js';
import { DEMO_PEOPLE } from '../identity/identity.demo.js';
import { maskValue, project, projectionFor } from './exchange.mask.js';
import { parse } from './exchange.context.js';
import { parseLookup } from './exchange.lookup.js';
import { LookupInput } from './exchange.types.js';
import { DEMO_RESOURCES } from './exchange.seed.js';
import { type DataItem, MASK_POLICIES } from './exchange.types.js';

/**
 * Nothing leaks: no answer, error or log line carries a field the grant does not name, or a value
 * in clear the grant does not allow. First the pure projection with random catalogues, records
 * and grants; then fuzzed lookups over HTTP against the seeded registers, every log line kept.
 */

const fieldName = fc.stringMatching(/^[a-z][a-zA-Z]{2,8}$/);
const itemsArb = fc.uniqueArray(fc.record({ name: fieldName, mask: fc.constantFrom(...MASK_POLICIES) }), {
  minLength: 1,
  maxLength: 8,
  selector: (i) => i.name,
});

describe('exchange › no field or clear value beyond the grant (property)', () => {
  test('project() copies only granted fields, each in clear only when the grant allows it', () => {
    fc.assert(
      fc.property(
        itemsArb,
        fc.infiniteStream(fc.boolean()),
        fc.infiniteStream(fc.boolean()),
        (specs, grantBits, clearBits) => {
          const items: DataItem[] = specs.map((s) => ({
            name: s.name,
            label: s.name,
            type: 'string',
            sensitivity: 'sensitive',
            mask: s.mask,
          }));
          // each value a unique marker, long enough that no mask keeps it whole
          const record = Object.fromEntries(
            items.map((i, n) => [i.name, `值${n}SECRET${i.name}XYZ0123456789`]),
          );
          const fields = items.filter(() => grantBits.next().value).map((i) => i.name);
          const clear = fields.filter(() => clearBits.next().value);
          const out = project(items, record, fields, clear);
          const text = JSON.stringify(out);
          for (const i of items) {
            const v = record[i.name]!;
            if (!fields.includes(i.name)) {
              assert.ok(!(i.name in out));
              assert.ok(!text.includes(`SECRET${i.name}XYZ`), `${i.name} leaked`);
            } else if (clear.includes(i.name) || i.mask === 'none') assert.equal(out[i.name], v);
            else {
              assert.equal(out[i.name], maskValue(i.mask, v));
              assert.ok(!text.includes(v), `${i.name} in clear`);
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  test('the projection a lookup answers with (its plan kept per grant) is project()’s, every time', () => {
    fc.assert(
      fc.property(
        itemsArb,
        fc.infiniteStream(fc.boolean()),
        fc.infiniteStream(fc.boolean()),
        fc.infiniteStream(fc.boolean()),
        (specs, grantBits, clearBits, askBits) => {
          const items: DataItem[] = specs.map((s) => ({
            name: s.name,
            label: s.name,
            type: 'string',
            sensitivity: 'sensitive',
            mask: s.mask,
          }));
          const record = Object.fromEntries(
            items.map((i, n) => [i.name, `值${n}SECRET${i.name}XYZ0123456789`]),
          );
          const fields = items.filter(() => grantBits.next().value).map((i) => i.name);
          const grant = { fields, clearFields: fields.filter(() => clearBits.next().value) };
          const asked = fields.filter(() => askBits.next().value);
          for (let round = 0; round < 2; round++) {
            assert.deepEqual(
              projectionFor(items, grant, undefined)(record),
              project(items, record, grant.fields, grant.clearFields),
            );
            assert.deepEqual(
              projectionFor(items, grant, asked)(record),
              project(items, record, asked, grant.clearFields),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test('a lookup body checked by hand gives what LookupInput gives, or the same refusal', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 45 }),
      fc.string({ minLength: 38, maxLength: 70 }),
      fc.constantFrom('', ' ', '  a ', ' ab ', '\u3000甲乙\u3000', '\t410105199003070014\n'),
    );
    const value = fc.oneof(
      text,
      fc.integer(),
      fc.constant(null),
      fc.constant(undefined),
      fc.array(text, { maxLength: 2 }),
    );
    const body = fc.oneof(
      fc.record(
        { resource: value, key: value, purpose: value, caseNumber: value, fields: value, extra: value },
        { requiredKeys: [] },
      ),
      fc.record(
        { resource: text, key: text, purpose: fc.string({ maxLength: 320 }), caseNumber: text },
        { requiredKeys: ['resource', 'key', 'purpose'] },
      ),
      value,
    );
    const outcome = (f: () => unknown) => {
      try {
        return { ok: f() };
      } catch (e) {
        return { code: (e as { code?: string }).code };
      }
    };
    fc.assert(
      fc.property(body, (raw) => {
        const zod = outcome(() => parse(LookupInput, raw));
        const hand = outcome(() => parseLookup(raw));
        if ('code' in zod) assert.deepEqual(hand, { code: zod.code });
        else assert.deepEqual(hand, zod);
      }),
      {
        numRuns: Number(process.env.PROP_RUNS ?? 2000),
        // found by CI once: a key given as undefined stays in the schema's output
        examples: [
          [{ resource: ' ', key: '!', purpose: '  !!', caseNumber: undefined }],
          [{ resource: 'r', key: 'k', purpose: 'pp', fields: undefined }],
        ],
      },
    );
  });

  describe('fuzzed lookups over HTTP', () => {
    let t: TongbanApp;
    const lines: string[] = [];
    let token = '';
    before(async () => {
      const store = await openTestStore();
      const sink = new Writable({
        write(chunk, _enc, cb) {
          lines.push(String(chunk));
          cb();
        },
      });
      const built = await buildApp({
        config: testConfig({ logLevel: 'debug' }),
        store,
        logger: createLogger('debug', sink),
        demo: 'on',
        startConsumers: false,
      });
      t = {
        ...built,
        async close() {
          await built.close();
          await store.close();
        },
      };
      const dept = (
        await sql<{
          id: string;
        }>`select id from regions_departments where kind = 'mzj' and region_code = '410100'`.execute(
          t.store.db,
        )
      ).rows[0]!.id;
      const c = await t.exchange.addConsumer({ departmentId: dept, name: 'fuzz' });
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/token',
        payload: { grant_type: 'client_credentials', client_id: c.client_id, client_secret: c.client_secret },
      });
      token = r.json().access_token;
    });
    after(async () => t?.close());

    test('no answer, error or log line holds an ungranted field or an unmasked value the grant does not allow', async () => {
      // 民政局's grant (seed): idNumber, name, gender, birthDate, division, householdType; clear: gender, division
      const granted = ['idNumber', 'name', 'gender', 'birthDate', 'division', 'householdType'];
      const people = Object.values(DEMO_PEOPLE);
      let answered = 0;
      const fields = [
        'idNumber',
        'name',
        'gender',
        'birthDate',
        'division',
        'address',
        'householdType',
        'relationToHead',
        'maritalStatus',
        'deathDate',
      ];
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...Object.values(DEMO_RESOURCES), '1-410100-XX-0000'),
          fc.oneof(fc.constantFrom(...people.map((p) => p.idNumber)), fc.string({ maxLength: 20 })),
          fc.option(fc.subarray(fields), { nil: undefined }),
          async (resource, key, asked) => {
            const from = lines.length;
            const r = await t.app.inject({
              method: 'POST',
              url: '/api/v1/exchange/lookup',
              headers: { authorization: `Bearer ${token}` },
              payload: { resource, key, purpose: '低保核对', ...(asked ? { fields: asked } : {}) },
            });
            const logged = lines.slice(from).join('\n');
            const person = people.find((p) => p.idNumber === key);
            for (const text of [r.body, logged]) {
              if (person) {
                assert.ok(!text.includes(person.idNumber), 'ID number in clear');
                assert.ok(!text.includes(person.name), 'name in clear');
              }
              assert.ok(!text.includes('经八路'), 'address (never granted) in an answer or log');
            }
            if (r.statusCode === 200) {
              answered++;
              assert.equal(resource, DEMO_RESOURCES.population);
              const keys = Object.keys(r.json().record);
              assert.ok(
                keys.every((k) => granted.includes(k)),
                keys.join(),
              );
            } else assert.ok(r.statusCode >= 400 && r.statusCode < 500, r.body);
          },
        ),
        { numRuns: 150, seed: 20261204 },
      );
      assert.ok(lines.length > 0, 'the logger was listening');
      assert.ok(answered > 0, 'some fuzzed lookups were answered');
    });
  });
});
