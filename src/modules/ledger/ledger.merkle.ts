import { createHash, hash } from 'node:crypto';

/**
 * RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their verification, plus the tlog-tiles
 * geometry (tiles of height 8). Pure: no storage, no I/O. Sizes and indexes are JS numbers, exact
 * up to 2^53 leaves, so bit tricks are written as arithmetic (`>>` would stop at 2^31).
 */
export const HASH_SIZE = 32;
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;

export type Hash = Buffer;

/** RFC 6962 §2.1: MTH({d}) = SHA-256(0x00 ‖ d). */
export function leafHash(entry: Uint8Array): Hash {
  const buf = Buffer.allocUnsafe(entry.length + 1);
  buf[0] = 0;
  buf.set(entry, 1);
  return hash('sha256', buf, 'buffer');
}

/** RFC 6962 §2.1: interior node = SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Hash {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    return createHash('sha256').update(NODE_INPUT.subarray(0, 1)).update(left).update(right).digest();
  }
  // one-shot hashing of one buffer: about a fifth cheaper than a streaming Hash object per node
  NODE_INPUT.set(left, 1);
  NODE_INPUT.set(right, 1 + HASH_SIZE);
  return hash('sha256', NODE_INPUT, 'buffer');
}

const NODE_INPUT = Buffer.alloc(1 + 2 * HASH_SIZE, 1);

/** MTH({}) = SHA-256 of the empty string. */
export const EMPTY_ROOT: Hash = createHash('sha256').digest();

const isOdd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/** The largest power of two strictly smaller than n (n ≥ 2): RFC 6962's split point. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const isPowerOfTwo = (n: number): boolean => n >= 1 && 2 ** Math.round(Math.log2(n)) === n;

/** The root of a list of leaf hashes, by the definition (reference; O(n) memory). */
export function rootOf(leaves: readonly Hash[]): Hash {
  if (leaves.length === 0) return EMPTY_ROOT;
  const rec = (a: number, b: number): Hash => {
    if (b - a === 1) return leaves[a]!;
    const k = splitPoint(b - a);
    return nodeHash(rec(a, a + k), rec(a + k, b));
  };
  return rec(0, leaves.length);
}

/**
 * The right edge of a tree (its compact range): the roots of the perfect subtrees that make up a
 * tree of `size` leaves, largest (leftmost) first, one per set bit of `size`. Appending a leaf
 * costs amortised two hashes, so a batch of N leaves costs O(N) whatever the size of the tree.
 */
export interface RightEdge {
  size: number;
  hashes: Hash[];
}

/** A complete subtree of 256^level leaves has been formed: the hash a level-`level` tile holds. */
export type TileHashSink = (level: number, index: number, hash: Hash) => void;

/**
 * Appends leaf hashes to the edge (mutating it). Every leaf hash is reported at level 0, and every
 * subtree of 256^L leaves completed by the append is reported at level L: exactly the hashes the
 * tiles hold.
 */
export function appendToEdge(edge: RightEdge, leafHashes: readonly Hash[], sink?: TileHashSink): void {
  for (const h of leafHashes) {
    const index = edge.size;
    sink?.(0, index, h);
    let cur = h;
    let n = index;
    let height = 0;
    // each trailing 1-bit of the old size is a perfect subtree of equal height to merge with
    while (isOdd(n)) {
      cur = nodeHash(edge.hashes.pop()!, cur);
      n = half(n);
      height++;
      if (height % TILE_HEIGHT === 0 && sink) {
        const width = 2 ** height;
        sink(height / TILE_HEIGHT, (index + 1) / width - 1, cur);
      }
    }
    edge.hashes.push(cur);
    edge.size = index + 1;
  }
}

/** The root hash of the tree the edge describes. */
export function edgeRoot(edge: RightEdge): Hash {
  if (edge.hashes.length === 0) return EMPTY_ROOT;
  let acc = edge.hashes[edge.hashes.length - 1]!;
  for (let i = edge.hashes.length - 2; i >= 0; i--) acc = nodeHash(edge.hashes[i]!, acc);
  return acc;
}

/** Encodes the edge for storage: the size is kept beside it, the hashes concatenated. */
export const edgeToBytes = (edge: RightEdge): Buffer => Buffer.concat(edge.hashes);

export function edgeFromBytes(size: number, bytes: Uint8Array): RightEdge {
  const hashes: Hash[] = [];
  for (let i = 0; i < bytes.length; i += HASH_SIZE)
    hashes.push(Buffer.from(bytes.subarray(i, i + HASH_SIZE)));
  let bits = 0;
  for (let s = size; s > 0; s = half(s)) if (isOdd(s)) bits++;
  if (bits !== hashes.length)
    throw new Error(`stored right edge has ${hashes.length} hashes for size ${size}`);
  return { size, hashes };
}

// ── proofs ────────────────────────────────────────────────────────────────────────────────────

/**
 * Returns the hash of the perfect subtree of 2^height leaves with the given index at that height
 * (leaves index·2^height … (index+1)·2^height − 1). Proof builders ask only for subtrees that are
 * complete in the tree the proof is for.
 */
export type PerfectSubtreeSource = (height: number, index: number) => Promise<Hash>;

/** MTH(D[a:b]) for a range of the RFC 6962 split structure. */
export async function rangeHash(src: PerfectSubtreeSource, a: number, b: number): Promise<Hash> {
  const n = b - a;
  if (n <= 0) throw new Error('empty range');
  if (isPowerOfTwo(n) && a % n === 0) return src(Math.round(Math.log2(n)), a / n);
  const k = splitPoint(n);
  return nodeHash(await rangeHash(src, a, a + k), await rangeHash(src, a + k, b));
}

/** RFC 6962 §2.1.1 PATH(m, D[n]): the audit path, the sibling nearest the leaf first. */
export async function inclusionProof(
  src: PerfectSubtreeSource,
  index: number,
  size: number,
): Promise<Hash[]> {
  if (!(index >= 0 && index < size)) throw new RangeError('index outside the tree');
  const rec = async (m: number, a: number, b: number): Promise<Hash[]> => {
    if (b - a === 1) return [];
    const k = splitPoint(b - a);
    if (m < k) return [...(await rec(m, a, a + k)), await rangeHash(src, a + k, b)];
    return [...(await rec(m - k, a + k, b)), await rangeHash(src, a, a + k)];
  };
  return rec(index, 0, size);
}

/** RFC 6962 §2.1.2 PROOF(m, D[n]): proves the tree of size m is a prefix of the tree of size n. */
export async function consistencyProof(src: PerfectSubtreeSource, m: number, n: number): Promise<Hash[]> {
  if (!(m >= 0 && m <= n)) throw new RangeError('first size larger than second');
  if (m === 0 || m === n) return [];
  const sub = async (mm: number, a: number, b: number, whole: boolean): Promise<Hash[]> => {
    const size = b - a;
    if (mm === size) return whole ? [] : [await rangeHash(src, a, b)];
    const k = splitPoint(size);
    if (mm <= k) return [...(await sub(mm, a, a + k, whole)), await rangeHash(src, a + k, b)];
    return [...(await sub(mm - k, a + k, b, false)), await rangeHash(src, a, a + k)];
  };
  return sub(m, 0, n, true);
}

/** RFC 9162 §2.1.3.2: checks an inclusion proof against a root. */
export function verifyInclusion(
  leaf: Hash,
  index: number,
  size: number,
  proof: readonly Hash[],
  root: Hash,
): boolean {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size))
    return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2: checks that the tree (size1, root1) is a prefix of (size2, root2). */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Hash[],
  root1: Hash,
  root2: Hash,
): boolean {
  if (!(Number.isSafeInteger(size1) && Number.isSafeInteger(size2) && size1 >= 0 && size1 <= size2))
    return false;
  if (size1 === size2) return proof.length === 0 && root1.equals(root2);
  if (size1 === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return fr.equals(root1) && sr.equals(root2) && sn === 0;
}

// ── tiles (C2SP tlog-tiles) ───────────────────────────────────────────────────────────────────

/** Hashes a perfect run of 2^k hashes (k ≤ 8) up to their common root. */
export function hashUp(hashes: readonly Hash[]): Hash {
  if (hashes.length === 0 || !isPowerOfTwo(hashes.length)) throw new Error('not a perfect run');
  let row = [...hashes];
  while (row.length > 1) {
    const next: Hash[] = [];
    for (let i = 0; i < row.length; i += 2) next.push(nodeHash(row[i]!, row[i + 1]!));
    row = next;
  }
  return row[0]!;
}

/** Reads a hash tile's bytes (the full tile, or as much of a partial one as exists). */
export type TileLoader = (level: number, index: number) => Promise<Buffer | undefined>;

/**
 * Perfect subtree hashes read from hash tiles: the subtree of 2^height leaves is a run of
 * 2^(height mod 8) hashes in a tile of level ⌊height / 8⌋, hashed up to their root. The service
 * (stored tiles), the verifier and the bench (tiles fetched or held in memory) share it.
 */
export function subtreeSource(loadTile: TileLoader): PerfectSubtreeSource {
  return async (height, index) => {
    const level = Math.floor(height / TILE_HEIGHT);
    const count = 2 ** (height - level * TILE_HEIGHT);
    const first = index * count;
    const tileIndex = Math.floor(first / TILE_WIDTH);
    const t = await loadTile(level, tileIndex);
    const off = (first % TILE_WIDTH) * HASH_SIZE;
    if (!t || t.length < off + count * HASH_SIZE)
      throw new Error(`tile ${level}/${tileIndex} is missing hashes`);
    if (count === 1) return Buffer.from(t.subarray(off, off + HASH_SIZE));
    const hashes: Hash[] = [];
    for (let i = 0; i < count; i++) hashes.push(t.subarray(off + i * HASH_SIZE, off + (i + 1) * HASH_SIZE));
    return hashUp(hashes);
  };
}

/** The width of the rightmost (partial) tile at `level` for a tree of `size`; 0: none. */
export const partialWidth = (size: number, level: number): number =>
  Math.floor(size / TILE_WIDTH ** level) % TILE_WIDTH;

/** How many hashes level `level` holds in a tree of `size` (complete subtrees of 256^level leaves). */
export const hashesAtLevel = (size: number, level: number): number => Math.floor(size / TILE_WIDTH ** level);

/** Tile index N in path form: three-digit groups, all but the last prefixed with `x` (1234067 → x001/x234/067). */
export function encodeTileIndex(n: number): string {
  let s = String(n);
  while (s.length % 3 !== 0) s = `0${s}`;
  const groups: string[] = [];
  for (let i = 0; i < s.length; i += 3) groups.push(s.slice(i, i + 3));
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

export interface TileRef {
  /** a hash tile level, or 'entries' for an entry bundle */
  readonly level: number | 'entries';
  readonly index: number;
  /** 256 for a full tile */
  readonly width: number;
}

export function tilePath(t: TileRef): string {
  const base = `tile/${t.level === 'entries' ? 'entries' : t.level}/${encodeTileIndex(t.index)}`;
  return t.width === TILE_WIDTH ? base : `${base}.p/${t.width}`;
}

/**
 * Parses what follows `tile/` in a tile URL. Only the canonical spelling is accepted (no leading
 * zeros, no surplus `x000` groups), so every resource has exactly one name.
 */
export function parseTilePath(path: string): TileRef | undefined {
  const parts = path.split('/');
  if (parts.length < 2) return undefined;
  const head = parts[0]!;
  let level: number | 'entries';
  if (head === 'entries') level = 'entries';
  else if (/^(0|[1-9]\d?)$/.test(head) && Number(head) <= 63) level = Number(head);
  else return undefined;
  let rest = parts.slice(1);
  let width = TILE_WIDTH;
  const last = rest[rest.length - 1]!;
  if (rest.length >= 2 && rest[rest.length - 2]!.endsWith('.p')) {
    if (!/^[1-9]\d{0,2}$/.test(last) || Number(last) > 255) return undefined;
    width = Number(last);
    rest = rest.slice(0, -1);
    rest[rest.length - 1] = rest[rest.length - 1]!.slice(0, -2);
  }
  if (rest.length === 0 || rest.length > 6) return undefined;
  for (let i = 0; i < rest.length; i++) {
    const want = i < rest.length - 1 ? /^x\d{3}$/ : /^\d{3}$/;
    if (!want.test(rest[i]!)) return undefined;
  }
  const index = Number(rest.map((g) => g.replace('x', '')).join(''));
  if (!Number.isSafeInteger(index) || encodeTileIndex(index) !== rest.join('/')) return undefined;
  return { level, index, width };
}
