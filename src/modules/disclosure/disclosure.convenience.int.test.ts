import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../../../test/helpers/app.js';
import type { TongbanApp } from '../../app.js';
import { CONVENIENCE_CLASSES } from './disclosure.types.js';

/**
 * 便民服务信息 browsable by its 15 classes and by division, nearest first from a division the user
 * chooses or a point (issue 13 item 5); a GET form, no script.
 */
let t: TongbanApp;
const get = (url: string) => t.app.inject({ method: 'GET', url });
interface Hit {
  id: string;
  class: string;
  name: string;
  regionCode: string;
  lat: number | null;
  lng: number | null;
  distanceKm: number | null;
}
interface Browse {
  total: number;
  origin: { lat: number; lng: number; region: string | null } | null;
  items: Hit[];
}
const browse = async (q: string) => {
  const r = await get(`/api/v1/convenience?${q}`);
  assert.equal(r.statusCode, 200, `${q}: ${r.body}`);
  return r.json() as Browse;
};

/** an independent great-circle distance (spherical law of cosines), km */
function km(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const r = (d: number) => (d * Math.PI) / 180;
  const c =
    Math.sin(r(a.lat)) * Math.sin(r(b.lat)) +
    Math.cos(r(a.lat)) * Math.cos(r(b.lat)) * Math.cos(r(b.lng - a.lng));
  return 6371 * Math.acos(Math.min(1, c));
}

before(async () => {
  t = await buildTestApp({ demo: 'on' });
});
after(() => t.close());

describe('convenience information', () => {
  test('every class browsable; the classes add up to the whole; every seeded entry has a place', async () => {
    const all = await browse('pageSize=100');
    let sum = 0;
    for (const c of CONVENIENCE_CLASSES) {
      const r = await browse(`class=${encodeURIComponent(c)}&pageSize=100`);
      assert.ok(r.total >= 1, c);
      assert.ok(r.items.every((i) => i.class === c));
      sum += r.total;
    }
    assert.equal(sum, all.total);
    let page = 1;
    let seen = 0;
    for (;;) {
      const r = await browse(`pageSize=100&page=${page}`);
      for (const i of r.items) assert.ok(i.lat !== null && i.lng !== null, i.name);
      seen += r.items.length;
      if (r.items.length < 100) break;
      page++;
    }
    assert.equal(seen, all.total);
  });

  test('nearest first from a chosen division, each distance as measured independently, across pages', async () => {
    const first = await browse('near=410105001&pageSize=20');
    assert.equal(first.origin?.region, '410105001');
    const second = await browse('near=410105001&pageSize=20&page=2');
    const hits = [...first.items, ...second.items];
    const o = first.origin!;
    const d = hits.map((h) => km(o, { lat: h.lat!, lng: h.lng! }));
    for (let i = 1; i < d.length; i++)
      assert.ok(d[i]! >= d[i - 1]! - 1e-9, `rank ${i}: ${d[i - 1]} then ${d[i]}`);
    for (const [i, h] of hits.entries())
      assert.ok(Math.abs(h.distanceKm! - d[i]!) <= 0.051, `${h.name} ${h.distanceKm} vs ${d[i]}`);
    assert.equal(new Set(hits.map((h) => h.id)).size, hits.length, 'no entry on two pages');
    // nothing left out nearer than the last shown
    const everything = await browse('pageSize=100');
    let all: Hit[] = [];
    for (let p = 1; p <= Math.ceil(everything.total / 100); p++)
      all = all.concat((await browse(`pageSize=100&page=${p}`)).items);
    const nearer = all.filter((h) => km(o, { lat: h.lat!, lng: h.lng! }) < d[d.length - 1]! - 1e-6);
    assert.ok(nearer.every((h) => hits.some((x) => x.id === h.id)));
  });

  test('from a point: the hospital at that point comes first; a class and a region filter hold', async () => {
    const r = await browse(`class=${encodeURIComponent('医院')}&lat=34.7533&lng=113.6536`);
    assert.equal(r.items[0]!.name, '郑州大学第一附属医院');
    assert.equal(r.items[0]!.distanceKm, 0);
    assert.equal(r.origin?.region, null);
    const dengfeng = await browse('region=410185&near=410185&pageSize=100');
    assert.ok(dengfeng.total >= 1);
    assert.ok(dengfeng.items.every((i) => i.regionCode.startsWith('410185')));
  });

  test('bad input is a coded error, never a 500', async () => {
    for (const [q, status, code] of [
      ['lat=34.7', 400, 'COMMON.VALIDATION'],
      ['lat=91&lng=113', 400, 'COMMON.VALIDATION'],
      ['class=火星基地', 400, 'COMMON.VALIDATION'],
      ['near=12', 400, 'COMMON.VALIDATION'],
      ['near=419999', 404, 'DISCLOSURE.PLACE_UNKNOWN'],
    ] as const) {
      const r = await get(`/api/v1/convenience?${encodeURI(q)}`);
      assert.equal(r.statusCode, status, q);
      assert.equal(r.json().error.code, code, q);
      assert.equal((await get(`/convenience?${encodeURI(q)}`)).statusCode, status, `page ${q}`);
    }
  });

  test('the page: a GET form whose empty fields are no filter, distances shown, in zh-CN and en', async () => {
    const zh = await get('/convenience?class=&region=&near=410105001&lat=&lng=');
    assert.equal(zh.statusCode, 200);
    assert.match(zh.body, /公里/);
    assert.match(zh.body, /<form method="get" action="\/convenience"/);
    for (const c of CONVENIENCE_CLASSES) assert.ok(zh.body.includes(c), c);
    const en = await get(`/convenience?class=${encodeURIComponent('医院')}&lat=34.7533&lng=113.6536&lang=en`);
    assert.equal(en.statusCode, 200);
    assert.match(en.body, /Hospitals/);
    assert.match(en.body, / km</);
    const plain = await get('/convenience');
    assert.equal(plain.statusCode, 200);
  });
});
