import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  EMPTY_ROOT,
  type Hash,
  type PerfectSubtreeSource,
  type RightEdge,
  appendToEdge,
  consistencyProof,
  edgeFromBytes,
  edgeRoot,
  edgeToBytes,
  encodeTileIndex,
  hashUp,
  hashesAtLevel,
  inclusionProof,
  leafHash,
  parseTilePath,
  partialWidth,
  rangeHash,
  rootOf,
  subtreeSource,
  tilePath,
  verifyConsistency,
  verifyInclusion,
} from './ledger.merkle.js';

const hex = (b: Buffer) => b.toString('hex');
const unhex = (s: string) => Buffer.from(s, 'hex');

// The RFC 6962 reference tree used by Certificate Transparency's merkle tests (transparency-dev/merkle
// testonly): eight leaves and the root of every prefix (data only).
const CT_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(unhex);
const CT_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const CT_INCLUSION = [
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
];
const CT_CONSISTENCY = [
  { from: 1, to: 1, proof: [] as string[] },
  {
    from: 1,
    to: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    from: 6,
    to: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    from: 2,
    to: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

/** A subtree source over an in-memory list of leaf hashes (by the definition). */
const memorySource =
  (leaves: readonly Hash[]): PerfectSubtreeSource =>
  async (height, index) =>
    rootOf(leaves.slice(index * 2 ** height, (index + 1) * 2 ** height));

const CT_LEAF_HASHES = CT_LEAVES.map(leafHash);

describe('RFC 6962 hashing', () => {
  test('RFC 6962 §2.1 › the empty tree hashes to SHA-256 of the empty string', () => {
    assert.equal(hex(EMPTY_ROOT), CT_ROOTS[0]);
  });

  test('RFC 6962 §2.1 › every prefix of the reference tree has the published root', () => {
    for (let n = 0; n <= 8; n++)
      assert.equal(hex(rootOf(CT_LEAF_HASHES.slice(0, n))), CT_ROOTS[n], `size ${n}`);
  });

  test('right edge › appending leaf by leaf gives the published root at every size', () => {
    const edge: RightEdge = { size: 0, hashes: [] };
    assert.equal(hex(edgeRoot(edge)), CT_ROOTS[0]);
    for (let n = 1; n <= 8; n++) {
      appendToEdge(edge, [CT_LEAF_HASHES[n - 1]!]);
      assert.equal(hex(edgeRoot(edge)), CT_ROOTS[n]);
      const back = edgeFromBytes(edge.size, edgeToBytes(edge));
      assert.equal(hex(edgeRoot(back)), CT_ROOTS[n]);
    }
  });

  test('right edge › reports each completed 256^L subtree as a tile hash', () => {
    const leaves = Array.from({ length: 256 * 3 + 5 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
    const edge: RightEdge = { size: 0, hashes: [] };
    const got: Array<[number, number, string]> = [];
    appendToEdge(edge, leaves.slice(0, 100), (l, i, h) => l > 0 && got.push([l, i, hex(h)]));
    appendToEdge(edge, leaves.slice(100), (l, i, h) => l > 0 && got.push([l, i, hex(h)]));
    assert.deepEqual(
      got,
      [0, 1, 2].map((i) => [1, i, hex(rootOf(leaves.slice(i * 256, (i + 1) * 256)))]),
    );
    assert.equal(hex(edgeRoot(edge)), hex(rootOf(leaves)));
  });
});

describe('RFC 6962 proofs', () => {
  test('RFC 6962 §2.1.1 › inclusion proofs equal the published vectors and verify', async () => {
    for (const v of CT_INCLUSION) {
      const p = await inclusionProof(memorySource(CT_LEAF_HASHES), v.index, v.size);
      assert.deepEqual(p.map(hex), v.proof);
      const root = unhex(CT_ROOTS[v.size]!);
      assert.ok(verifyInclusion(CT_LEAF_HASHES[v.index]!, v.index, v.size, p, root));
    }
  });

  test('RFC 6962 §2.1.2 › consistency proofs equal the published vectors and verify', async () => {
    for (const v of CT_CONSISTENCY) {
      const p = await consistencyProof(memorySource(CT_LEAF_HASHES), v.from, v.to);
      assert.deepEqual(p.map(hex), v.proof, `${v.from}→${v.to}`);
      assert.ok(verifyConsistency(v.from, v.to, p, unhex(CT_ROOTS[v.from]!), unhex(CT_ROOTS[v.to]!)));
    }
  });

  test('RFC 9162 §2.1.3 › every leaf of every tree up to 40 proves, and a wrong leaf, index or root does not', async () => {
    const leaves = Array.from({ length: 40 }, (_, i) => leafHash(Buffer.from([i, i * 3])));
    for (let n = 1; n <= leaves.length; n++) {
      const src = memorySource(leaves.slice(0, n));
      const root = rootOf(leaves.slice(0, n));
      for (let i = 0; i < n; i++) {
        const p = await inclusionProof(src, i, n);
        assert.ok(verifyInclusion(leaves[i]!, i, n, p, root), `${i} in ${n}`);
        assert.equal(verifyInclusion(leaves[(i + 1) % 40]!, i, n, p, root), false);
        if (n > 1) assert.equal(verifyInclusion(leaves[i]!, (i + 1) % n, n, p, root), false);
        assert.equal(verifyInclusion(leaves[i]!, i, n, p, EMPTY_ROOT), false);
      }
    }
  });

  test('RFC 9162 §2.1.4 › every pair of sizes up to 40 is consistent, and a changed old root is not', async () => {
    const leaves = Array.from({ length: 40 }, (_, i) => leafHash(Buffer.from([i])));
    const src = memorySource(leaves);
    for (let n = 1; n <= 40; n++) {
      const r2 = rootOf(leaves.slice(0, n));
      for (let m = 1; m <= n; m++) {
        const r1 = rootOf(leaves.slice(0, m));
        const p = await consistencyProof(src, m, n);
        assert.ok(verifyConsistency(m, n, p, r1, r2), `${m}→${n}`);
        if (m < n) assert.equal(verifyConsistency(m, n, p, Buffer.alloc(32, 9), r2), false);
      }
    }
  });
});

describe('tlog-tiles paths', () => {
  test('tlog-tiles › N is written in 3-digit groups with x prefixes (1234067 → x001/x234/067)', () => {
    assert.equal(encodeTileIndex(1234067), 'x001/x234/067');
    assert.equal(encodeTileIndex(5), '005');
    assert.equal(encodeTileIndex(1000), 'x001/000');
    assert.equal(tilePath({ level: 0, index: 1234067, width: 256 }), 'tile/0/x001/x234/067');
    assert.equal(tilePath({ level: 'entries', index: 2, width: 17 }), 'tile/entries/002.p/17');
  });

  test('tlog-tiles › the specification example: a tree of 70,000 leaves has the tiles it lists', () => {
    // 273 full level-0 tiles and a partial one of width 112, one full level-1 tile and a partial
    // one of width 17, and a partial level-2 tile of width 1
    assert.equal(Math.floor(hashesAtLevel(70_000, 0) / 256), 273);
    assert.equal(partialWidth(70_000, 0), 112);
    assert.equal(Math.floor(hashesAtLevel(70_000, 1) / 256), 1);
    assert.equal(partialWidth(70_000, 1), 17);
    assert.equal(Math.floor(hashesAtLevel(70_000, 2) / 256), 0);
    assert.equal(partialWidth(70_000, 2), 1);
    assert.equal(hashesAtLevel(70_000, 3), 0);
    // "a tree of size 256 will be represented by a full level 0 tile and a partial level 1 tile of width 1"
    assert.equal(partialWidth(256, 0), 0);
    assert.equal(partialWidth(256, 1), 1);
  });

  test('tlog-tiles › parses canonical paths and refuses every other spelling', () => {
    assert.deepEqual(parseTilePath('0/x001/x234/067'), { level: 0, index: 1234067, width: 256 });
    assert.deepEqual(parseTilePath('2/000.p/1'), { level: 2, index: 0, width: 1 });
    assert.deepEqual(parseTilePath('entries/x001/000.p/255'), { level: 'entries', index: 1000, width: 255 });
    for (const bad of [
      '0/1',
      '00/000',
      '64/000',
      '0/x000/001',
      '0/001.p/0',
      '0/001.p/256',
      '0/001.p/012',
      '0/001/',
      'x/000',
      '0',
      '0/001.p',
      'entries/01',
    ]) {
      assert.equal(parseTilePath(bad), undefined, bad);
    }
  });

  test('tlog-tiles › a tile hash at level 1 is the root of the full level-0 tile below it', () => {
    const leaves = Array.from({ length: 256 }, (_, i) => leafHash(Buffer.from([i])));
    assert.equal(hex(hashUp(leaves)), hex(rootOf(leaves)));
  });

  test('tlog-tiles › subtree hashes read from the tiles give the root and the proofs of every size', async () => {
    const n = 256 * 256 + 300; // full and partial tiles on levels 0 and 1, one hash on level 2
    const leaves = Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
    const tiles = new Map<string, Hash[]>();
    appendToEdge({ size: 0, hashes: [] }, leaves, (level, index, h) => {
      const k = `${level}/${Math.floor(index / 256)}`;
      const t = tiles.get(k);
      if (t) t.push(h);
      else tiles.set(k, [h]);
    });
    const loads: string[] = [];
    const src = subtreeSource(async (level, index) => {
      loads.push(`${level}/${index}`);
      const t = tiles.get(`${level}/${index}`);
      return t && Buffer.concat(t);
    });
    for (const size of [1, 255, 256, 257, 256 * 256, n]) {
      const want = rootOf(leaves.slice(0, size));
      assert.equal(hex(await rangeHash(src, 0, size)), hex(want), `size ${size}`);
    }
    const i = 256 * 256 + 17;
    assert.deepEqual(
      (await inclusionProof(src, i, n)).map(hex),
      (await inclusionProof(memorySource(leaves), i, n)).map(hex),
    );
    assert.ok(loads.includes('1/0') && loads.includes('2/0'));
    // a tile that is not there (or too short) is an error, never a wrong hash
    const short = subtreeSource(async () => Buffer.alloc(32));
    await assert.rejects(rangeHash(short, 0, 4), /tile 0\/0 is missing hashes/);
  });
});
