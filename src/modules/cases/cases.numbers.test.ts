import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type ScratchDatabase, scratchDatabase, testDialect } from '../../../test/helpers/store.js';
import { DomainError, ManualClock } from '../../kernel/index.js';
import { type Store, migrate, openStore, sql } from '../../platform/db/index.js';
import { eventsMigrations } from '../../platform/events/index.js';
import { createCasesService } from './cases.service.js';
import { casesMigrations } from './cases.store.js';
import { ITEM_CITY, ITEM_IMMEDIATE, PRINCIPALS, fakePorts } from './cases.testkit.js';

/**
 * Case and bundle numbers under concurrency (ADR 0034): submissions of one item on one day from
 * several connections at once — three nodes (three pools) on one PostgreSQL database, or one SQLite
 * file with group commit (concurrent transactions in one batch) — never share a number, and every
 * number keeps the format 实施编码 + yyyyMMdd + 6 digits. On PostgreSQL a number is drawn in a
 * transaction of its own before the case's, so a submission that fails after the draw leaves a
 * gap; on SQLite it is drawn in the case's transaction and given back.
 */
const pg = testDialect() === 'postgres';
const form = { applicantName: '张三', phone: '13800000000', purpose: '新办' };
const DAY = '20250915';

describe(`case numbers under concurrent submissions (${pg ? 'three nodes on PostgreSQL' : 'SQLite, group commit'})`, () => {
  const clock = new ManualClock('2025-09-15T02:00:00Z');
  const stores: Store[] = [];
  let scratch: ScratchDatabase | undefined;
  let dir: string | undefined;
  let nodes: Array<ReturnType<typeof createCasesService>> = [];

  before(async () => {
    if (pg) {
      scratch = await scratchDatabase(process.env.TONGBAN_TEST_DATABASE_URL!);
      for (let i = 0; i < 3; i++)
        stores.push(await openStore({ databaseUrl: scratch.url, poolSize: 4, connectTimeoutMs: 60_000 }));
    } else {
      dir = mkdtempSync(join(tmpdir(), 'tongban-numbers-'));
      stores.push(await openStore({ sqliteFile: join(dir, 'n.sqlite'), sqliteSynchronous: 'FULL' }));
    }
    await migrate(stores[0]!.db, { ...eventsMigrations, ...casesMigrations });
    nodes = stores.map((store) => createCasesService({ store, clock, ports: fakePorts() }));
  });
  after(async () => {
    for (const s of stores) await s.close();
    await scratch?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const submitOn = (i: number, implementationCode = ITEM_CITY) =>
    nodes[i % nodes.length]!.submit(PRINCIPALS.citizen, { implementationCode, regionCode: '410105', form });

  test('60 submissions of one item at once: 60 different numbers, 1 to 60, in the format', async () => {
    const got = await Promise.all(Array.from({ length: 60 }, (_, i) => submitOn(i)));
    const numbers = got.map((s) => s.caseNumber);
    assert.equal(new Set(numbers).size, 60, 'no number handed out twice');
    for (const n of numbers) assert.match(n, new RegExp(`^${ITEM_CITY}${DAY}\\d{6}$`));
    // nothing failed, so nothing was skipped
    assert.deepEqual(
      numbers.map((n) => Number(n.slice(-6))).sort((a, b) => a - b),
      Array.from({ length: 60 }, (_, i) => i + 1),
    );
  });

  test('bundles and single submissions at once: bundle and case numbers unique per prefix', async () => {
    const bundles = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        nodes[i % nodes.length]!.submitBundle(PRINCIPALS.citizen, {
          bundleCode: 'BIRTH',
          regionCode: '410105',
          form,
        }),
      ),
    );
    const singles = await Promise.all(Array.from({ length: 12 }, (_, i) => submitOn(i, ITEM_IMMEDIATE)));
    const bundleNumbers = bundles.map((b) => b.bundleNumber);
    assert.equal(new Set(bundleNumbers).size, 12);
    for (const n of bundleNumbers) assert.match(n, new RegExp(`^BBIRTH${DAY}\\d{6}$`));
    const cases = [
      ...bundles.flatMap((b) => b.cases.map((c) => c.caseNumber)),
      ...singles.map((s) => s.caseNumber),
    ];
    assert.equal(cases.length, 36);
    assert.equal(new Set(cases).size, 36, 'no case number handed out twice');
  });

  test(`a submission that fails after the draw: ${pg ? 'its number is left unused (a gap), never reused' : 'its number is given back'}`, async () => {
    const a = await submitOn(0);
    await assert.rejects(
      nodes[1 % nodes.length]!.submit(
        PRINCIPALS.citizen,
        { implementationCode: ITEM_CITY, regionCode: '410105', form },
        { fromDraft: true }, // no draft: CASES.ALREADY_SUBMITTED inside the case's transaction
      ),
      (e: unknown) => e instanceof DomainError && e.code === 'CASES.ALREADY_SUBMITTED',
    );
    const b = await submitOn(2);
    assert.equal(Number(b.caseNumber.slice(-6)), Number(a.caseNumber.slice(-6)) + (pg ? 2 : 1));
  });

  test('PostgreSQL: the draw’s commit alone skips waiting for its flush; the connection’s next transactions wait', {
    skip: !pg,
  }, async () => {
    const one = await openStore({ databaseUrl: scratch!.url, poolSize: 1 });
    try {
      const svc = createCasesService({ store: one, clock, ports: fakePorts() });
      // the one connection's setting after a submission: the draw's `off` was its own transaction's
      await svc.submit(PRINCIPALS.citizen, { implementationCode: ITEM_CITY, regionCode: '410105', form });
      const after = await sql<{ s: string }>`select current_setting('synchronous_commit') as s`.execute(
        one.db,
      );
      assert.equal(after.rows[0]?.s, 'on', 'the case and everything after it commit durably');
    } finally {
      await one.close();
    }
  });
});
