import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../../app.js';
import { testConfig } from '../../config/index.js';
import { openStore, sql } from '../../platform/db/index.js';
import { type ScratchDatabase, scratchDatabase, testDialect } from '../../../test/helpers/store.js';
import { scaleSeedState } from './exchange.seed.js';

const here = dirname(fileURLToPath(import.meta.url));
const PEOPLE = 120_000;
const COMPANIES = 3_000;

/**
 * Runs the register load in a child process and kills it with SIGKILL as soon as it reports the
 * first batch of people written (its progress line), mid-load. Answers the progress lines seen.
 */
function seedAndKill(where: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(here, '../../../test/exchange/seed-crash-child.ts'),
        where,
        String(PEOPLE),
        String(COMPANIES),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const lines: string[] = [];
    let buf = '';
    let out = '';
    child.stdout.on('data', (d) => {
      out += String(d);
    });
    child.stderr.on('data', (d) => {
      buf += String(d);
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        lines.push(line);
        if (line.startsWith('人口库: ')) child.kill('SIGKILL');
      }
    });
    child.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL') resolve(lines);
      else reject(new Error(`the seed ended without being killed: ${out} ${lines.join('\n')} ${buf}`));
    });
  });
}

let scratch: ScratchDatabase | undefined;
after(async () => {
  await scratch?.drop();
});

test(`seed --scale › killed mid-load, the store refuses to start and says to re-run; the re-run completes it (${testDialect()})`, async () => {
  let where: string;
  if (testDialect() === 'postgres') {
    scratch = await scratchDatabase(process.env.TONGBAN_TEST_DATABASE_URL!);
    where = scratch.url;
  } else where = join(mkdtempSync(join(tmpdir(), 'tongban-seed-crash-')), 'tongban.sqlite');
  const open = () => openStore(where.startsWith('postgres') ? { databaseUrl: where } : { sqliteFile: where });

  const lines = await seedAndKill(where);
  // the progress the operator sees: the keyed hashes, then the people written, with counts and rates
  assert.ok(
    lines.some((l) => new RegExp(`^人口库 keyed hashes: \\d+/${PEOPLE} \\(\\d+\\.\\d%, \\d+/s\\)$`).test(l)),
    lines.join('\n'),
  );
  assert.match(lines.at(-1)!, new RegExp(`^人口库: \\d+/${PEOPLE} \\(`));

  const store = await open();
  try {
    if (store.sqlite)
      assert.equal(store.sqlite.pragma('integrity_check', { simple: true }), 'ok', 'the file is not torn');
    const count = async (table: string) =>
      Number(
        (await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(store.db)).rows[0]
          ?.n,
      );
    const partial = await count('exchange_population');
    assert.ok(partial > 0 && partial < PEOPLE, `killed mid-load: ${partial} people written`);
    assert.equal((await scaleSeedState(store.db))?.state, 'loading');

    // a node started on it refuses, in one line that says what to run
    await assert.rejects(
      buildApp({ config: testConfig(), store, demo: 'off', startConsumers: false }),
      (e: Error) =>
        e.name === 'ConfigError' &&
        /did not finish/.test(e.message) &&
        e.message.includes('npx tongban seed --scale zhengzhou') &&
        !e.message.includes('\n'),
    );

    // the re-run completes the registers (rows already there are kept, none twice)
    const t = await buildApp({
      config: testConfig(),
      store,
      demo: 'off',
      startConsumers: false,
      warmUp: false,
    });
    await t.modules.find((m) => m.name === 'exchange')!.seedScale!({
      scale: 'zhengzhou',
      people: PEOPLE,
      companies: COMPANIES,
      progress: () => ({ tick() {}, done() {} }),
    });
    await t.close();
    assert.equal(await count('exchange_population'), PEOPLE);
    assert.equal(await count('exchange_legal_persons'), COMPANIES);
    const state = await scaleSeedState(store.db);
    assert.equal(state?.state, 'done');
    assert.equal(await count('exchange_social_insurance'), state?.insured);
    if (store.sqlite) assert.equal(store.sqlite.pragma('integrity_check', { simple: true }), 'ok');
    // and a node starts on it again
    const again = await buildApp({ config: testConfig(), store, demo: 'off', startConsumers: false });
    await again.close();
  } finally {
    await store.close();
  }
});
