import { createHash, randomBytes } from 'node:crypto';
import { buildApp } from '../src/app.js';
import { testConfig } from '../src/config/index.js';
import { sql } from '../src/platform/db/index.js';
import { multipartBody } from '../test/helpers/session.js';
import { fmt, freshSqlite, machine, median } from './lib.js';

/**
 * Materials uploaded from the apply pages: one multipart post of FILES files of SIZE_MB each to
 * the materials step (parse, type by content, SHA-256, sealed (AES-256-GCM) and kept with the
 * draft in one transaction on SQLite with synchronous = FULL), through the real app in-process.
 * Beside it, in the same run, the ceilings of the same store for the same bytes: SHA-256 and one
 * transaction replacing them in a plain blob table, as the draft replaces its files; and the same
 * with each file sealed as the draft seals it (skipped on a commit before sealing, so this file
 * measures both sides of the change).
 *
 * Every post carries new bytes, as real uploads do: SQLite rewrites a row of the same size in
 * place and skips the pages whose bytes did not change, so posting the same files again would
 * hardly write at all.
 *
 * RUNS (default 9), FILES (default 4), SIZE_MB (default 2).
 */
const RUNS = Number(process.env.RUNS ?? 9);
const FILES = Number(process.env.FILES ?? 4);
const SIZE = Number(process.env.SIZE_MB ?? 2) * 1024 * 1024;
const ITEM = '11410100297017523N01003401100000'; // 食品小经营店登记: four materials

const fresh = await freshSqlite();
const t = await buildApp({
  config: testConfig(),
  store: fresh.store,
  demo: 'on',
  startConsumers: false,
  warmUp: false,
});
const auth = { authorization: `Bearer ${(await t.identity.tokenForLogin('citizen')).token}` };
const codes = ['m01-id', 'm02-form', 'm03-doc', 'm04-doc'].slice(0, FILES);
type Upload = { field: string; filename: string; type: string; data: Buffer };
/** a new set of files (not timed) */
const newUploads = (): Upload[] =>
  codes.map((code) => ({
    field: `file.${code}`,
    filename: `${code}.pdf`,
    type: 'application/pdf',
    data: Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(SIZE - 9)]),
  }));
const megabytes = (FILES * SIZE) / 1024 / 1024;

async function pagePost(): Promise<number> {
  const body = multipartBody({}, newUploads());
  const t0 = performance.now();
  const r = await t.app.inject({
    method: 'POST',
    url: `/items/${ITEM}/apply/materials`,
    headers: { ...auth, accept: 'text/html', 'content-type': body.contentType },
    payload: body.payload,
  });
  const ms = performance.now() - t0;
  if (r.statusCode !== 303) throw new Error(`upload refused: ${r.statusCode} ${r.body.slice(0, 300)}`);
  return ms;
}

// like the draft: the same four rows replaced by each post
await sql`create table bench_draft (code text primary key, sha256 text not null, data blob not null)`.execute(
  fresh.store.db,
);
async function ceiling(): Promise<number> {
  const uploads = newUploads();
  const t0 = performance.now();
  await fresh.store.db.transaction().execute(async (trx) => {
    for (const f of uploads) {
      const sha = createHash('sha256').update(f.data).digest('hex');
      await sql`insert into bench_draft (code, sha256, data) values (${f.field}, ${sha}, ${f.data})
        on conflict (code) do update set sha256 = excluded.sha256, data = excluded.data`.execute(trx);
    }
  });
  return performance.now() - t0;
}

const privacy: { createFileSealer?: (secret: Buffer) => { seal(d: Uint8Array, to: string): Buffer } } =
  await import('../src/platform/privacy/index.js');
const sealer = privacy.createFileSealer?.(randomBytes(32));
async function sealedCeiling(): Promise<number> {
  const uploads = newUploads();
  const t0 = performance.now();
  await fresh.store.db.transaction().execute(async (trx) => {
    for (const f of uploads) {
      const sha = createHash('sha256').update(f.data).digest('hex');
      const sealed = sealer!.seal(f.data, f.field);
      await sql`insert into bench_draft (code, sha256, data) values (${f.field}, ${sha}, ${sealed})
        on conflict (code) do update set sha256 = excluded.sha256, data = excluded.data`.execute(trx);
    }
  });
  return performance.now() - t0;
}

await pagePost(); // warm
await ceiling();
const page: number[] = [];
const base: number[] = [];
const sealedBase: number[] = [];
for (let i = 0; i < RUNS; i++) {
  page.push(await pagePost());
  base.push(await ceiling());
  if (sealer) sealedBase.push(await sealedCeiling());
}
await t.close();
await fresh.drop();

const p = median(page);
const b = median(base);
console.log(`uploads — ${machine()}, ${RUNS} runs, ${FILES} files × ${fmt(SIZE / 1048576)} MiB per post`);
console.log(
  `  page post (multipart → checks → draft, FULL):     median ${fmt(p)} ms = ${fmt(megabytes / (p / 1000))} MiB/s`,
);
console.log(
  `  ceiling (SHA-256 + one upsert transaction):       median ${fmt(b)} ms = ${fmt(megabytes / (b / 1000))} MiB/s`,
);
if (sealer) {
  const sb = median(sealedBase);
  console.log(
    `  ceiling, sealed (SHA-256 + AES-256-GCM + upsert): median ${fmt(sb)} ms = ${fmt(megabytes / (sb / 1000))} MiB/s`,
  );
}
console.log(`  page post / ceiling: ${fmt(p / b, 2)}×`);
