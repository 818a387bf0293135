import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { verifyConsistency } from './ledger.merkle.js';
import {
  SIG_COSIGNATURE_V1,
  cosignatureLine,
  formatVerifierKey,
  generateKey,
  isKeyName,
  keyFromSeed,
} from './ledger.note.js';
import { type Fetch, fetchCheckpoint, logUrls } from './ledger.verify.js';

/**
 * The witness side (`tongban log witness`): another node checks that the log's new checkpoint is
 * consistent with the last one it cosigned, then cosigns it (tlog-cosignature/v1, Ed25519 with a
 * timestamp) and submits the line to the log. Its state file holds its own key and, per log, the
 * pinned log key and the last cosigned tree; it only moves forward.
 */
export interface WitnessState {
  name: string;
  /** base64 Ed25519 seed of the witness key */
  seed: string;
  logs: Record<string, { vkey: string; size: number; rootHash: string }>;
}

export interface WitnessResult {
  ok: boolean;
  message: string;
  /** the witness's verifier key, to register on the log with `tongban log witness add` */
  witnessKey: string;
  size?: number;
}

export function loadWitnessState(path: string, name?: string): WitnessState {
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as WitnessState;
  if (!name || !isKeyName(name))
    throw new Error('a new witness needs --name (no spaces or "+"), e.g. --name witness.example.gov.cn/w1');
  const s: WitnessState = { name, seed: generateKey().seed.toString('base64'), logs: {} };
  writeFileSync(path, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
  return s;
}

export function witnessVerifierKey(s: WitnessState): string {
  return formatVerifierKey(s.name, SIG_COSIGNATURE_V1, keyFromSeed(Buffer.from(s.seed, 'base64')).publicKey);
}

export async function runWitness(opts: {
  url: string;
  statePath: string;
  name?: string;
  fetch?: Fetch;
  now?: () => Date;
}): Promise<WitnessResult> {
  const f = opts.fetch ?? ((u, i) => fetch(u, i));
  const state = loadWitnessState(opts.statePath, opts.name);
  const witnessKey = witnessVerifierKey(state);
  const { prefix, site } = logUrls(opts.url);
  const fail = (message: string): WitnessResult => ({ ok: false, message, witnessKey });

  const first = await fetchCheckpoint(f, prefix);
  if ('error' in first) return fail(first.error);
  const origin = first.checkpoint.origin;
  const prev = state.logs[origin];
  if (prev && prev.vkey !== first.vkey)
    return fail(`the key of ${origin} changed since the last cosignature: refusing`);
  const cp = first.checkpoint;
  const root = cp.rootHash.toString('base64');

  if (prev) {
    if (cp.size < prev.size) return fail(`the log shrank from ${prev.size} to ${cp.size}`);
    if (cp.size === prev.size && root !== prev.rootHash)
      return fail(`two different roots for size ${cp.size}: a split view`);
    if (cp.size > prev.size) {
      const r = await f(`${site}/api/v1/log/proof/consistency?from=${prev.size}&to=${cp.size}`);
      if (!r.ok) return fail(`no consistency proof from ${prev.size} to ${cp.size}: HTTP ${r.status}`);
      const proof = ((await r.json()) as { hashes?: string[] }).hashes ?? [];
      const ok = verifyConsistency(
        prev.size,
        cp.size,
        proof.map((h) => Buffer.from(h, 'base64')),
        Buffer.from(prev.rootHash, 'base64'),
        cp.rootHash,
      );
      if (!ok)
        return fail(
          `the checkpoint of size ${cp.size} is not consistent with the one of size ${prev.size} cosigned before`,
        );
    }
  }

  const timestamp = Math.floor((opts.now?.() ?? new Date()).getTime() / 1000);
  const line = cosignatureLine(
    first.body,
    state.name,
    keyFromSeed(Buffer.from(state.seed, 'base64')),
    timestamp,
  );
  const post = await f(`${site}/api/v1/log/cosignatures`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ checkpoint: first.body, cosignature: line }),
  });
  if (post.status !== 201) {
    const text = await post.text();
    const hint =
      post.status === 403
        ? ` — register this witness on the log: tongban log witness add --name ${state.name} --key ${witnessKey}`
        : '';
    return fail(`the log refused the cosignature: HTTP ${post.status} ${text}${hint}`);
  }
  state.logs[origin] = { vkey: first.vkey, size: cp.size, rootHash: root };
  writeFileSync(opts.statePath, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  return { ok: true, message: `cosigned ${origin} at size ${cp.size}`, witnessKey, size: cp.size };
}
