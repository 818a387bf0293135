// The checks of scripts/chaos.sh after the failover, against the promoted server directly:
//   1. every acknowledged write in <dir>/acked.txt is there (a case by its number, an acceptance
//      as the case's `accept` action);
//   2. the log's checkpoint now proves consistency with the last one fetched before the crash
//      (<dir>/checkpoint.before), by the log's own RFC 6962 consistency proof, checked here with
//      the ledger's verifier.
// Prints one line per check and writes <dir>/verify.json; exits 1 on any missing write or an
// inconsistent log.
//
//   node --import tsx scripts/chaos/verify.ts --db postgres://… --url http://proxy --dir DIR
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { verifyConsistency } from '../../src/modules/ledger/ledger.merkle.js';

const arg = (name: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i > 0 ? process.argv[i + 1] : undefined;
  if (!v) throw new Error(`--${name} is required`);
  return v;
};
const dir = arg('dir');
const base = arg('url');

const lines = readFileSync(join(dir, 'acked.txt'), 'utf8').split('\n').filter(Boolean);
const cases = lines.filter((l) => l.startsWith('case ')).map((l) => l.slice(5));
const accepts = lines.filter((l) => l.startsWith('accept ')).map((l) => l.slice(7));

const client = new pg.Client({ connectionString: arg('db') });
await client.connect();
const foundCases = new Set(
  (
    await client.query<{ case_number: string }>(
      'select case_number from cases where case_number = any($1::text[])',
      [cases],
    )
  ).rows.map((r) => r.case_number),
);
const foundAccepts = new Set(
  (
    await client.query<{ case_number: string }>(
      `select c.case_number from cases c join case_actions a on a.case_id = c.id
        where a.type = 'accept' and c.case_number = any($1::text[])`,
      [accepts],
    )
  ).rows.map((r) => r.case_number),
);
await client.end();
const missing = [
  ...cases.filter((n) => !foundCases.has(n)).map((n) => `case ${n}`),
  ...accepts.filter((n) => !foundAccepts.has(n)).map((n) => `accept ${n}`),
];

/** origin, size and root hash of a checkpoint note (C2SP tlog-checkpoint) */
function parseCheckpoint(note: string): { origin: string; size: number; root: Buffer } {
  const [origin, size, root] = note.split('\n');
  return { origin: origin ?? '', size: Number(size), root: Buffer.from(root ?? '', 'base64') };
}
const before = parseCheckpoint(readFileSync(join(dir, 'checkpoint.before'), 'utf8'));
const after = parseCheckpoint(await (await fetch(`${base}/log/checkpoint`)).text());
const proofRes = await fetch(`${base}/api/v1/log/proof/consistency?from=${before.size}&to=${after.size}`);
const proof = (await proofRes.json()) as { fromRoot: string; toRoot: string; hashes: string[] };
const consistent =
  proofRes.ok &&
  after.origin === before.origin &&
  after.size >= before.size &&
  verifyConsistency(
    before.size,
    after.size,
    proof.hashes.map((h) => Buffer.from(h, 'base64')),
    before.root,
    after.root,
  );

const result = {
  acked: lines.length,
  ackedCases: cases.length,
  ackedAccepts: accepts.length,
  found: lines.length - missing.length,
  missing: missing.length,
  missingSample: missing.slice(0, 10),
  log: { before: before.size, after: after.size, consistent },
};
writeFileSync(join(dir, 'verify.json'), JSON.stringify(result, null, 1));
console.log(
  `writes: acked ${result.acked} (cases ${cases.length}, acceptances ${accepts.length}), found ${result.found}, missing ${result.missing}${missing.length ? ` e.g. ${missing.slice(0, 3).join(', ')}` : ''}`,
);
console.log(
  `log: checkpoint of ${after.size} leaves ${consistent ? 'proves consistency with' : 'DOES NOT prove consistency with'} the one of ${before.size} fetched before the crash`,
);
process.exit(missing.length === 0 && consistent ? 0 : 1);
