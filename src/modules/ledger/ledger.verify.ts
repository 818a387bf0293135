import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { decodeBundle } from './ledger.entry.js';
import {
  HASH_SIZE,
  type Hash,
  type RightEdge,
  TILE_WIDTH,
  type TileLoader,
  type TileRef,
  appendToEdge,
  edgeRoot,
  hashUp,
  hashesAtLevel,
  leafHash,
  rangeHash,
  subtreeSource,
  tilePath,
} from './ledger.merkle.js';
import {
  type Checkpoint,
  SIG_ED25519,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  verifyNote,
} from './ledger.note.js';

/**
 * `tongban log verify`: an independent check of a log over HTTP, using only the public C2SP
 * resources. It re-hashes every entry, rebuilds the tree, compares every served tile and the root
 * with what it computed, checks the checkpoint signature, and remembers the checkpoints it has
 * seen (in a state file) so that a later run proves the log only ever grew.
 */
export type Fetch = (
  url: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string },
) => Promise<Response>;

export interface VerifyOptions {
  /** the site (`https://host`) or the log prefix (`https://host/log`) */
  url: string;
  /** JSON file remembering the key and the checkpoints seen; created when missing */
  statePath?: string;
  fetch?: Fetch;
  /** how many tiles to fetch at once */
  parallel?: number;
}

export interface VerifyReport {
  ok: boolean;
  origin?: string;
  size?: number;
  rootHash?: string;
  entries: number;
  tiles: number;
  failures: string[];
  notes: string[];
}

interface VerifyState {
  vkey?: string;
  checkpoints: Array<{ size: number; rootHash: string; seenAt: string }>;
}

/** Splits a URL into the log prefix (…/log) and the site base (for /api/v1). */
export function logUrls(url: string): { prefix: string; site: string } {
  const u = url.replace(/\/+$/, '');
  return u.endsWith('/log') ? { prefix: u, site: u.slice(0, -4) } : { prefix: `${u}/log`, site: u };
}

export async function fetchBytes(f: Fetch, url: string): Promise<Buffer | undefined> {
  const r = await f(url);
  if (r.status === 404) return undefined;
  if (!r.ok) throw new Error(`GET ${url}: HTTP ${r.status}`);
  return Buffer.from(await r.arrayBuffer());
}

/** Fetches and checks the signed checkpoint against the served (or pinned) key. */
export async function fetchCheckpoint(
  f: Fetch,
  prefix: string,
  pinnedKey?: string,
): Promise<
  | { vkey: string; body: string; checkpoint: Checkpoint; signers: string[]; notes: string[] }
  | { error: string }
> {
  const keyText = (await fetchBytes(f, `${prefix}/key`))?.toString('utf8').trim();
  if (!keyText) return { error: 'the log serves no key at /key' };
  const vkey = parseVerifierKey(keyText);
  if (!vkey || vkey.type !== SIG_ED25519)
    return { error: `the log key is not an Ed25519 signed-note key: ${keyText}` };
  const text = (await fetchBytes(f, `${prefix}/checkpoint`))?.toString('utf8');
  if (!text) return { error: 'the log serves no checkpoint' };
  const note = parseNote(text);
  if (!note) return { error: 'the checkpoint is not a well-formed signed note' };
  const rotated: string[] = [];
  if (pinnedKey && pinnedKey !== keyText) {
    // a key rotation: accepted only while the key known before still signs the checkpoint beside
    // the new one (the old key vouches for the new, under the same log name)
    const pinned = parseVerifierKey(pinnedKey);
    if (!pinned || pinned.name !== vkey.name || !verifyNote(note, pinned))
      return { error: `the log key changed: was ${pinnedKey}, now ${keyText}` };
    rotated.push(`the log key rotated: ${pinnedKey} → ${keyText} (the checkpoint is signed by both)`);
  }
  if (!verifyNote(note, vkey)) return { error: 'the checkpoint signature does not verify with the log key' };
  const checkpoint = parseCheckpoint(note.body);
  if (!checkpoint) return { error: 'the checkpoint body is malformed' };
  if (checkpoint.origin !== vkey.name)
    return { error: `the checkpoint origin "${checkpoint.origin}" is not the key name "${vkey.name}"` };
  return {
    vkey: keyText,
    body: note.body,
    checkpoint,
    signers: note.signatures.map((s) => s.name),
    notes: rotated,
  };
}

function readState(path: string | undefined): VerifyState {
  if (!path || !existsSync(path)) return { checkpoints: [] };
  const s = JSON.parse(readFileSync(path, 'utf8')) as VerifyState;
  return { vkey: s.vkey, checkpoints: Array.isArray(s.checkpoints) ? s.checkpoints : [] };
}

const ref = (level: number | 'entries', index: number, width: number): TileRef => ({ level, index, width });

export async function verifyLog(opts: VerifyOptions): Promise<VerifyReport> {
  const f = opts.fetch ?? ((u, i) => fetch(u, i));
  const { prefix } = logUrls(opts.url);
  const parallel = opts.parallel ?? 16;
  const report: VerifyReport = { ok: false, entries: 0, tiles: 0, failures: [], notes: [] };
  const state = readState(opts.statePath);

  const cp = await fetchCheckpoint(f, prefix, state.vkey);
  if ('error' in cp) {
    report.failures.push(cp.error);
    return report;
  }
  const n = cp.checkpoint.size;
  report.origin = cp.checkpoint.origin;
  report.size = n;
  report.rootHash = cp.checkpoint.rootHash.toString('base64');
  report.notes.push(`checkpoint signed by ${cp.signers.join(', ')}`, ...cp.notes);

  // earlier checkpoints must be prefixes of this tree: their roots are recomputed on the way
  const remembered = new Map<number, string>();
  for (const c of state.checkpoints) {
    if (c.size > n)
      report.failures.push(`the log shrank: a checkpoint of size ${c.size} was seen before, now ${n}`);
    else remembered.set(c.size, c.rootHash);
  }
  const checkRemembered = (edge: RightEdge) => {
    const want = remembered.get(edge.size);
    if (want === undefined) return;
    const got = edgeRoot(edge).toString('base64');
    if (got !== want)
      report.failures.push(
        `inconsistent with the checkpoint of size ${edge.size} seen before (root ${want}, now ${got})`,
      );
    else report.notes.push(`consistent with the checkpoint of size ${edge.size} seen before`);
    remembered.delete(edge.size);
  };

  // level ≥ 1 hashes computed from the entries, compared with the served tiles afterwards
  const computed = new Map<number, Hash[]>();
  const edge: RightEdge = { size: 0, hashes: [] };
  checkRemembered(edge);
  const bundles = Math.ceil(n / TILE_WIDTH);
  for (let k0 = 0; k0 < bundles; k0 += parallel) {
    const batch: Array<Promise<[Buffer | undefined, Buffer | undefined]>> = [];
    for (let k = k0; k < Math.min(bundles, k0 + parallel); k++) {
      const w = Math.min(TILE_WIDTH, n - k * TILE_WIDTH);
      batch.push(
        Promise.all([
          fetchBytes(f, `${prefix}/${tilePath(ref('entries', k, w))}`),
          fetchBytes(f, `${prefix}/${tilePath(ref(0, k, w))}`),
        ]),
      );
    }
    const got = await Promise.all(batch);
    for (let j = 0; j < got.length; j++) {
      const k = k0 + j;
      const w = Math.min(TILE_WIDTH, n - k * TILE_WIDTH);
      const [bundle, tile] = got[j]!;
      const bPath = tilePath(ref('entries', k, w));
      const tPath = tilePath(ref(0, k, w));
      const entries = bundle ? decodeBundle(bundle) : undefined;
      if (!entries || entries.length !== w) {
        report.failures.push(
          `${bPath}: ${bundle ? `holds ${entries?.length ?? 'unreadable'} entries, expected ${w}` : 'missing'}`,
        );
        return finish(report, opts.statePath, state, cp);
      }
      report.entries += w;
      const hashes = entries.map(leafHash);
      if (!tile || tile.length !== w * HASH_SIZE)
        report.failures.push(`${tPath}: ${tile ? `wrong length ${tile.length}` : 'missing'}`);
      else {
        report.tiles++;
        for (let i = 0; i < w; i++) {
          if (!hashes[i]!.equals(tile.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE))) {
            report.failures.push(
              `${tPath}: hash ${i} (leaf ${k * TILE_WIDTH + i}) does not match the entry in ${bPath}`,
            );
            break;
          }
        }
      }
      for (const h of hashes) {
        appendToEdge(edge, [h], (level, _index, hash) => {
          if (level === 0) return;
          const arr = computed.get(level);
          if (arr) arr.push(hash);
          else computed.set(level, [hash]);
        });
        if (remembered.size) checkRemembered(edge);
      }
    }
  }

  // the higher tiles must hold exactly the subtree hashes the entries give
  for (let level = 1; hashesAtLevel(n, level) > 0; level++) {
    const all = computed.get(level) ?? [];
    const count = hashesAtLevel(n, level);
    for (let k = 0; k * TILE_WIDTH < count; k++) {
      const w = Math.min(TILE_WIDTH, count - k * TILE_WIDTH);
      const p = tilePath(ref(level, k, w));
      const tile = await fetchBytes(f, `${prefix}/${p}`);
      if (!tile || tile.length !== w * HASH_SIZE) {
        report.failures.push(`${p}: ${tile ? `wrong length ${tile.length}` : 'missing'}`);
        continue;
      }
      report.tiles++;
      for (let i = 0; i < w; i++) {
        if (!all[k * TILE_WIDTH + i]?.equals(tile.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE))) {
          report.failures.push(`${p}: hash ${i} does not match the subtree recomputed from the entries`);
          break;
        }
      }
    }
  }

  const root = edgeRoot(edge);
  if (!root.equals(cp.checkpoint.rootHash)) {
    report.failures.push(
      `the root recomputed from the entries (${root.toString('base64')}) is not the checkpoint's (${report.rootHash})`,
    );
  }
  return finish(report, opts.statePath, state, cp);
}

function finish(
  report: VerifyReport,
  statePath: string | undefined,
  state: VerifyState,
  cp: { vkey: string; checkpoint: Checkpoint },
): VerifyReport {
  report.ok = report.failures.length === 0;
  if (report.ok && statePath) {
    const size = cp.checkpoint.size;
    const checkpoints = state.checkpoints.filter((c) => c.size !== size);
    checkpoints.push({
      size,
      rootHash: cp.checkpoint.rootHash.toString('base64'),
      seenAt: new Date().toISOString(),
    });
    checkpoints.sort((a, b) => a.size - b.size);
    writeFileSync(
      statePath,
      `${JSON.stringify({ vkey: cp.vkey, checkpoints: checkpoints.slice(-50) }, null, 2)}\n`,
    );
  }
  return report;
}

/** The report as lines for a terminal. */
export function formatReport(r: VerifyReport): string[] {
  const lines = [
    `log:      ${r.origin ?? '?'}`,
    `size:     ${r.size ?? '?'}  root ${r.rootHash ?? '?'}`,
    `checked:  ${r.entries} entries, ${r.tiles} tiles`,
    ...r.notes.map((n) => `note:     ${n}`),
    ...r.failures.map((x) => `FAILURE:  ${x}`),
    r.ok
      ? 'result:   OK — every entry, tile and the signed root agree'
      : `result:   FAILED (${r.failures.length} problem(s))`,
  ];
  return lines;
}

/**
 * Checks a tree from its hash tiles alone (what a monitor that does not fetch entries does): every
 * full tile hashes to its entry in the level above, and the tiles give the checkpoint's root.
 * `loadTile` returns a tile's bytes (full or the partial prefix). Returns the failures.
 */
export async function verifyTiles(
  size: number,
  rootHash: Hash,
  loadTile: TileLoader,
): Promise<{ failures: string[]; tiles: number }> {
  const failures: string[] = [];
  let tiles = 0;
  let expected: Hash[] = []; // parents computed from the level below
  for (let level = 0; hashesAtLevel(size, level) > 0; level++) {
    const count = hashesAtLevel(size, level);
    const parents: Hash[] = [];
    for (let k = 0; k * TILE_WIDTH < count; k++) {
      const w = Math.min(TILE_WIDTH, count - k * TILE_WIDTH);
      const p = tilePath(ref(level, k, w));
      const t = await loadTile(level, k);
      if (!t || t.length < w * HASH_SIZE) {
        failures.push(`${p}: missing`);
        continue;
      }
      tiles++;
      const hashes: Hash[] = [];
      for (let i = 0; i < w; i++) hashes.push(t.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
      if (level > 0) {
        const bad = hashes.findIndex((h, i) => !expected[k * TILE_WIDTH + i]?.equals(h));
        if (bad >= 0) failures.push(`${p}: hash ${bad} is not the root of the full tile below it`);
      }
      if (w === TILE_WIDTH) parents.push(hashUp(hashes));
    }
    expected = parents;
  }
  if (size > 0 && failures.length === 0) {
    const root = await rangeHash(subtreeSource(loadTile), 0, size);
    if (!root.equals(rootHash)) failures.push(`the root computed from the tiles is not the checkpoint's`);
  }
  return { failures, tiles };
}
