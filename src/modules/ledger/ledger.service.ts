import { type Config, ConfigError } from '../../config/index.js';
import { type Clock, DomainError } from '../../kernel/index.js';
import type { Executor, Store } from '../../platform/db/index.js';
import type { EventRecord } from '../../platform/events/index.js';
import type { Logger } from '../../platform/log.js';
import { derivedKey, seal, unseal } from '../../platform/privacy/index.js';
import { encodeBundle, entryBytes, entryFor, isRecorded } from './ledger.entry.js';
import {
  EMPTY_ROOT,
  HASH_SIZE,
  type Hash,
  type PerfectSubtreeSource,
  TILE_WIDTH,
  type TileRef,
  appendToEdge,
  consistencyProof,
  edgeFromBytes,
  edgeRoot,
  edgeToBytes,
  inclusionProof,
  leafHash,
  rangeHash,
  subtreeSource,
  verifyInclusion,
} from './ledger.merkle.js';
import {
  type Ed25519Key,
  SIG_COSIGNATURE_V1,
  SIG_ED25519,
  formatCheckpoint,
  formatVerifierKey,
  generateKey,
  isKeyName,
  keyFromSeed,
  parseCheckpoint,
  parseNote,
  parseSignatureLine,
  parseVerifierKey,
  signatureLine,
  verifyCosignature,
} from './ledger.note.js';
import * as st from './ledger.store.js';

export interface LedgerDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly config: Config;
  readonly log: Logger;
}

/** A leaf to append: its entry bytes and what the by-object index needs. */
export interface NewLeaf {
  entry: Buffer;
  eventId: string;
  eventType: string;
  objectType: string;
  objectId: string;
  regionCode: string | null;
  time: string;
}

export const leafFromEvent = (e: EventRecord): NewLeaf => ({
  entry: entryBytes(entryFor(e)),
  eventId: e.id,
  eventType: e.type,
  objectType: e.aggregateType,
  objectId: e.aggregateId,
  regionCode: e.regionCode,
  time: e.createdAt,
});

/**
 * Appends leaves inside the caller's transaction: entries, the tiles they change and the new right
 * edge. Hashing is O(N) for N leaves; each level's rightmost tile is read once and rewritten.
 */
export async function appendLeaves(
  trx: Executor,
  leaves: readonly NewLeaf[],
  now: string,
): Promise<{ from: number; to: number }> {
  const state = await st.readState(trx);
  const edge = edgeFromBytes(state.size, state.edge);
  const from = edge.size;
  if (leaves.length === 0) return { from, to: from };
  const perLevel = new Map<number, { first: number; hashes: Hash[] }>();
  appendToEdge(
    edge,
    leaves.map((l) => leafHash(l.entry)),
    (level, index, hash) => {
      const cur = perLevel.get(level);
      if (cur) cur.hashes.push(hash);
      else perLevel.set(level, { first: index, hashes: [hash] });
    },
  );
  await st.insertLeaves(
    trx,
    leaves.map((l, i) => ({
      idx: from + i,
      entry: l.entry.toString('utf8'),
      event_id: l.eventId,
      event_type: l.eventType,
      object_type: l.objectType,
      object_id: l.objectId,
      region_code: l.regionCode,
      created_at: l.time,
    })),
  );
  const tiles: Array<{ level: number; idx: number; hashes: Buffer }> = [];
  for (const [level, run] of perLevel) {
    let tileIdx = Math.floor(run.first / TILE_WIDTH);
    const offset = run.first % TILE_WIDTH;
    let buf = Buffer.concat(run.hashes);
    if (offset > 0) {
      const existing = await st.readTile(trx, level, tileIdx);
      if (!existing || existing.length !== offset * HASH_SIZE) {
        throw new Error(
          `ledger: tile ${level}/${tileIdx} holds ${existing ? existing.length / HASH_SIZE : 0} hashes, expected ${offset}`,
        );
      }
      buf = Buffer.concat([existing, buf]);
    }
    for (let i = 0; i < buf.length; i += TILE_WIDTH * HASH_SIZE) {
      tiles.push({ level, idx: tileIdx++, hashes: buf.subarray(i, i + TILE_WIDTH * HASH_SIZE) });
    }
  }
  await st.upsertTiles(trx, tiles, now);
  await st.writeState(trx, edge.size, edgeToBytes(edge), now);
  return { from, to: edge.size };
}

/** Perfect subtree hashes read from the stored tiles (each tile fetched once per source). */
export function tileSource(db: Executor): PerfectSubtreeSource {
  const cache = new Map<string, Promise<Buffer | undefined>>();
  return subtreeSource((level, idx) => {
    const k = `${level}/${idx}`;
    let p = cache.get(k);
    if (!p) {
      p = st.readTile(db, level, idx);
      cache.set(k, p);
    }
    return p;
  });
}

const sealSeed = (secret: Buffer, name: string, seed: Buffer): string =>
  seal(derivedKey(secret, 'ledger:note-key'), seed, name);

const openSeed = (secret: Buffer, name: string, sealed: string): Buffer =>
  unseal(derivedKey(secret, 'ledger:note-key'), sealed, name);

export interface InclusionResult {
  index: number;
  size: number;
  leafHash: Hash;
  rootHash: Hash;
  hashes: Hash[];
  entry: string;
}

export function createLedgerService(deps: LedgerDeps) {
  const { store, clock, config, log } = deps;
  // the configured name until the log's stored one is read (ensureOrigin); a log keeps its name
  let origin = config.logOrigin;
  if (!isKeyName(origin))
    throw new Error(`TONGBAN_LOG_ORIGIN "${origin}" cannot be a signed-note key name (no spaces or "+")`);
  let originChecked: Promise<string> | undefined;
  /** unsealed keys by public key (a key never changes; other nodes' rotations appear in the table) */
  const unsealed = new Map<string, Ed25519Key>();
  let timer: NodeJS.Timeout | undefined;
  let publishing: Promise<unknown> | undefined;
  let onDemand = false;

  /**
   * The log's name is fixed when the log is created and stored with it. A node configured with
   * another name refuses to start (ConfigError: one line, exit 78) and says which is stored; a node
   * that names none (TONGBAN_LOG_ORIGIN unset) takes the stored one.
   */
  function ensureOrigin(): Promise<string> {
    originChecked ??= (async () => {
      const stored = await st.fixOrigin(store.db, origin, clock.now().toISOString());
      if (stored !== origin) {
        if (config.logOriginExplicit)
          throw new ConfigError(
            'TONGBAN_LOG_ORIGIN',
            `is "${origin}" but this store's transparency log was created as "${stored}"; a log keeps its name (every checkpoint and witness signature names it): set TONGBAN_LOG_ORIGIN=${stored} or unset it`,
          );
        log.info({ stored, configured: origin }, 'ledger: using the stored log origin');
        origin = stored;
      }
      return origin;
    })().catch((e: unknown) => {
      originChecked = undefined;
      throw e;
    });
    return originChecked;
  }

  function openKey(row: { public_key: string; sealed_seed: string }): Ed25519Key {
    let k = unsealed.get(row.public_key);
    if (k) return k;
    k = keyFromSeed(openSeed(config.secretKey, origin, row.sealed_seed));
    if (k.publicKey.toString('base64') !== row.public_key)
      throw new Error('ledger: stored note key does not match its public key');
    unsealed.set(row.public_key, k);
    return k;
  }

  /** Adds a signing key under the log's name, sealed under a key derived from the secret. */
  async function addKey(): Promise<Ed25519Key> {
    const k = generateKey();
    await st.insertNoteKey(store.db, {
      public_key: k.publicKey.toString('base64'),
      origin,
      sealed_seed: sealSeed(config.secretKey, origin, k.seed),
      created_at: clock.now().toISOString(),
      retired_at: null,
    });
    return k;
  }

  /** Every key that signs new checkpoints, newest first: one, or two while a rotation hands over. */
  async function signingKeys(): Promise<Ed25519Key[]> {
    await ensureOrigin();
    let rows = await st.listNoteKeys(store.db, origin);
    if (rows.length === 0) {
      // first start: one key. Nodes starting together may each add one: all but the oldest retire theirs.
      const mine = (await addKey()).publicKey.toString('base64');
      rows = await st.listNoteKeys(store.db, origin);
      const oldest = rows[rows.length - 1]!;
      if (oldest.public_key !== mine) await st.retireNoteKey(store.db, mine, clock.now().toISOString());
      rows = [oldest];
    }
    return rows.map(openKey);
  }

  /** The note key: the newest unretired one (generated on first start). */
  async function noteKey(): Promise<Ed25519Key> {
    return (await signingKeys())[0]!;
  }

  async function verifierKey(): Promise<string> {
    return formatVerifierKey(origin, SIG_ED25519, (await noteKey()).publicKey);
  }

  /**
   * Key rotation: a new key signs every checkpoint from now on, beside the old one until the old
   * is retired, so a verifier that knows only the old key sees the new key vouched for by it.
   */
  async function rotateKey(): Promise<{ verifierKey: string; signing: string[] }> {
    await ensureOrigin();
    await signingKeys(); // the first key exists before a second is added
    const k = await addKey();
    const all = await signingKeys();
    return {
      verifierKey: formatVerifierKey(origin, SIG_ED25519, k.publicKey),
      signing: all.map((x) => formatVerifierKey(origin, SIG_ED25519, x.publicKey)),
    };
  }

  /** Ends an old key's signing (verifiers have moved to the new one); the newest key stays. */
  async function retireKey(vkeyText: string): Promise<void> {
    await ensureOrigin();
    const vkey = parseVerifierKey(vkeyText);
    const keys = await st.listNoteKeys(store.db, origin);
    const row = vkey && keys.find((r) => r.public_key === vkey.publicKey.toString('base64'));
    if (!vkey || vkey.name !== origin || !row)
      throw new Error(`not a signing key of the log "${origin}": ${vkeyText}`);
    if (row === keys[0]) throw new Error('the newest key cannot be retired: rotate first');
    await st.retireNoteKey(store.db, row.public_key, clock.now().toISOString());
  }

  /** The log's keys, newest first, with when each was retired. */
  async function listKeys(): Promise<
    Array<{ verifierKey: string; createdAt: string; retiredAt: string | null }>
  > {
    await ensureOrigin();
    return (await st.listNoteKeys(store.db, origin, true)).map((r) => ({
      verifierKey: formatVerifierKey(origin, SIG_ED25519, Buffer.from(r.public_key, 'base64')),
      createdAt: r.created_at,
      retiredAt: r.retired_at,
    }));
  }

  /** Signs and stores a checkpoint for the current tree, unless the latest already covers it. */
  async function publishCheckpoint(): Promise<st.CheckpointRow> {
    const keys = await signingKeys();
    const state = await st.readState(store.db);
    const latest = await st.latestCheckpoint(store.db);
    if (latest && latest.size >= state.size) return latest;
    const root = edgeRoot(edgeFromBytes(state.size, state.edge));
    const body = formatCheckpoint({ origin, size: state.size, rootHash: root, extensions: [] });
    const row = {
      size: state.size,
      rootHash: root.toString('base64'),
      // every signing key signs (two while a rotation hands over), the newest first
      note: `${body}\n${keys.map((k) => signatureLine(body, origin, k)).join('')}`,
      createdAt: clock.now().toISOString(),
    };
    await st.insertCheckpoint(store.db, row);
    return (await st.checkpointAt(store.db, state.size)) ?? row;
  }

  async function latest(): Promise<st.CheckpointRow> {
    return (await st.latestCheckpoint(store.db)) ?? publishCheckpoint();
  }

  /** What readers are shown: the latest checkpoint, signed on the spot when no timer runs. */
  async function current(): Promise<st.CheckpointRow> {
    return timer === undefined && onDemand ? publishCheckpoint() : latest();
  }

  /**
   * The checkpoint readers are shown and the witness cosignatures it holds, read once together, so
   * a page cannot mix two checkpoints. Without the timer (test mode) a read signs a fresh
   * checkpoint when the tree has grown, so it is never stale.
   */
  async function currentCheckpoint(): Promise<{
    checkpoint: st.CheckpointRow;
    cosignatures: Array<{ witness: string; line: string; timestamp: number }>;
  }> {
    const checkpoint = await current();
    return { checkpoint, cosignatures: await st.cosignaturesAt(store.db, checkpoint.size) };
  }

  /** The latest checkpoint as served: the log's note with every witness cosignature it holds. */
  async function servedCheckpoint(): Promise<string> {
    const { checkpoint, cosignatures } = await currentCheckpoint();
    return checkpoint.note + cosignatures.map((x) => x.line).join('');
  }

  async function treeSize(): Promise<number> {
    return (await st.readState(store.db)).size;
  }

  /** The bytes of a tile or entry bundle, or undefined when it does not exist (yet). */
  async function tile(ref: TileRef): Promise<Buffer | undefined> {
    if (ref.level === 'entries') {
      const from = ref.index * TILE_WIDTH;
      const rows = await st.readEntries(store.db, from, from + ref.width);
      if (rows.length !== ref.width) return undefined;
      return encodeBundle(rows.map((r) => Buffer.from(r.entry, 'utf8')));
    }
    const t = await st.readTile(store.db, ref.level, ref.index);
    if (!t) return undefined;
    const want = ref.width * HASH_SIZE;
    if (ref.width === TILE_WIDTH ? t.length !== want : t.length < want) return undefined;
    return t.subarray(0, want);
  }

  async function checkRange(ok: boolean, size: number): Promise<void> {
    if (!ok) throw new DomainError('LEDGER.BAD_RANGE', { params: { size } });
  }

  async function proveInclusion(index: number, size: number): Promise<InclusionResult> {
    const n = await treeSize();
    await checkRange(index >= 0 && index < size && size <= n, n);
    const src = tileSource(store.db);
    const leaf = await st.readLeaf(store.db, index);
    if (!leaf) throw new DomainError('LEDGER.BAD_RANGE', { params: { size: n } });
    const [hashes, rootHash, lh] = await Promise.all([
      inclusionProof(src, index, size),
      rootAt(src, size),
      src(0, index),
    ]);
    return { index, size, leafHash: lh, rootHash, hashes, entry: leaf.entry };
  }

  async function rootAt(src: PerfectSubtreeSource, size: number): Promise<Hash> {
    return size === 0 ? EMPTY_ROOT : rangeHash(src, 0, size);
  }

  async function proveConsistency(from: number, to: number) {
    const n = await treeSize();
    await checkRange(from >= 0 && from <= to && to <= n, n);
    const src = tileSource(store.db);
    const [hashes, fromRoot, toRoot] = await Promise.all([
      consistencyProof(src, from, to),
      rootAt(src, from),
      rootAt(src, to),
    ]);
    return { from, to, fromRoot, toRoot, hashes };
  }

  /** For people: a leaf, its proof against the latest checkpoint, and whether it checks out. */
  async function verifyLeaf(index: number) {
    const c = await current();
    if (index >= c.size) return { checkpoint: c, included: false as const };
    const p = await proveInclusion(index, c.size);
    const ok = verifyInclusion(
      leafHash(Buffer.from(p.entry, 'utf8')),
      index,
      c.size,
      p.hashes,
      Buffer.from(c.rootHash, 'base64'),
    );
    return { checkpoint: c, included: true as const, proof: p, verified: ok };
  }

  async function addWitness(name: string, vkey: string): Promise<void> {
    const v = parseVerifierKey(vkey);
    if (!v || v.type !== SIG_COSIGNATURE_V1 || v.name !== name)
      throw new DomainError('LEDGER.BAD_WITNESS_KEY');
    await st.upsertWitness(store.db, name, vkey.trim(), clock.now().toISOString());
  }

  /**
   * Accepts a witness's cosignature (tlog-cosignature/v1) over a checkpoint this log published:
   * the witness must be registered, the line must verify over the stored body, and its time may
   * not lie in the future.
   */
  async function addCosignature(input: { checkpoint: string; cosignature: string }) {
    const line = parseSignatureLine(input.cosignature.trim());
    if (!line)
      throw new DomainError('LEDGER.BAD_COSIGNATURE', { params: { reason: 'not a signature line' } });
    const witness = (await st.listWitnesses(store.db)).find((w) => w.name === line.name);
    const vkey = witness ? parseVerifierKey(witness.vkey) : undefined;
    if (!vkey?.keyId.equals(line.keyId)) throw new DomainError('LEDGER.UNKNOWN_WITNESS');
    const body = parseNote(input.checkpoint)?.body ?? input.checkpoint;
    const cp = parseCheckpoint(body);
    if (!cp || cp.origin !== origin) throw new DomainError('LEDGER.UNKNOWN_CHECKPOINT');
    const stored = await st.checkpointAt(store.db, cp.size);
    if (!stored || parseNote(stored.note)?.body !== body) throw new DomainError('LEDGER.UNKNOWN_CHECKPOINT');
    const ts = verifyCosignature(body, line, vkey);
    if (ts === undefined)
      throw new DomainError('LEDGER.BAD_COSIGNATURE', { params: { reason: 'signature does not verify' } });
    if (ts > Math.floor(clock.now().getTime() / 1000) + 300) {
      throw new DomainError('LEDGER.BAD_COSIGNATURE', { params: { reason: 'timestamp in the future' } });
    }
    await st.saveCosignature(store.db, {
      checkpoint_size: cp.size,
      witness_name: line.name,
      timestamp: ts,
      line: line.line,
      created_at: clock.now().toISOString(),
    });
    return { size: cp.size, witness: line.name, timestamp: ts };
  }

  /** The outbox consumer: one leaf per record-worthy event, in the consumer's transaction. */
  async function handleEvents(trx: Executor, events: EventRecord[]): Promise<void> {
    let leaves = events.filter((e) => isRecorded(e.type)).map(leafFromEvent);
    if (leaves.length === 0) return;
    // An event is one leaf, once. Should the outbox ever hand over an event again, the log keeps
    // the leaf it has (the unique event id would otherwise stop this consumer for good) and says so.
    const seen = await st.recordedEventIds(
      trx,
      leaves.map((l) => l.eventId),
    );
    if (seen.size) {
      log.warn(
        { events: [...seen].slice(0, 10), count: seen.size },
        'ledger: events already recorded were skipped',
      );
      leaves = leaves.filter((l) => !seen.has(l.eventId));
      if (leaves.length === 0) return;
    }
    await appendLeaves(trx, leaves, clock.now().toISOString());
  }

  /** Checkpoints while the tree grows: one per tick at most, so never more than `intervalMs` stale. */
  function startCheckpoints(intervalMs: number): void {
    stopCheckpoints();
    const tick = () => {
      if (publishing) return;
      publishing = publishCheckpoint()
        .catch((err: unknown) => log.error({ err }, 'ledger: checkpoint failed'))
        .finally(() => {
          publishing = undefined;
        });
    };
    timer = setInterval(tick, intervalMs);
    timer.unref();
  }

  /** With no timer running, sign on read instead (see servedCheckpoint). */
  function checkpointOnRead(on: boolean): void {
    onDemand = on;
  }

  function stopCheckpoints(): void {
    if (timer) clearInterval(timer);
    timer = undefined;
  }

  async function close(): Promise<void> {
    stopCheckpoints();
    if (publishing) await publishing;
  }

  return {
    get origin() {
      return origin;
    },
    ensureOrigin,
    noteKey,
    verifierKey,
    rotateKey,
    retireKey,
    listKeys,
    publishCheckpoint,
    latestCheckpoint: latest,
    currentCheckpoint,
    servedCheckpoint,
    treeSize,
    tile,
    proveInclusion,
    proveConsistency,
    verifyLeaf,
    addWitness,
    listWitnesses: () => st.listWitnesses(store.db),
    addCosignature,
    leavesByObject: (type: string, id: string) => st.leavesByObject(store.db, type, id),
    leafIndexOfEvent: (eventId: string) => st.leafIndexOfEvent(store.db, eventId),
    handleEvents,
    startCheckpoints,
    stopCheckpoints,
    checkpointOnRead,
    close,
  };
}

export type LedgerService = ReturnType<typeof createLedgerService>;
