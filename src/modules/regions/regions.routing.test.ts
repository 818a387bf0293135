import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { orderHallsNear, routeItem } from './regions.routing.js';
import type { Department, Hall, Region } from './regions.types.js';

const province: Region = {
  code: '410000',
  name: '河南省',
  level: 'province',
  kind: 'province',
  parentCode: null,
};
const city: Region = { code: '410100', name: '郑州市', level: 'city', kind: 'city', parentCode: '410000' };
const county: Region = {
  code: '410105',
  name: '金水区',
  level: 'county',
  kind: 'district',
  parentCode: '410100',
};
const zone: Region = {
  code: '410171',
  name: '郑州经济技术开发区',
  level: 'county',
  kind: 'zone',
  parentCode: '410100',
};
const township: Region = {
  code: '410105002',
  name: '花园路街道',
  level: 'township',
  kind: 'subdistrict',
  parentCode: '410105',
};
const village: Region = {
  code: '410105002001',
  name: '甲院社区居民委员会',
  level: 'village',
  kind: 'community',
  parentCode: '410105002',
};
const otherVillage: Region = { ...village, code: '410105002009', name: '通信花园社区居民委员会' };

const dept = (kind: string, r: Region, level: Department['level']): Department => ({
  id: `${r.code}-${kind}`,
  kind,
  name: `${r.name}${kind}`,
  nameEn: kind,
  level,
  regionCode: r.code,
  creditCode: `X${r.code}${kind}`,
  demo: true,
});
const hall = (r: Region, kind: Hall['kind']): Hall => ({
  id: `h${r.code}`,
  code: `H${r.code}`,
  kind,
  name: `${r.name}大厅`,
  regionCode: r.code,
  address: '',
  lat: 34.7,
  lng: 113.6,
  hours: [],
  phone: '',
  windows: 1,
  demo: true,
});

const departments = [
  dept('jyj', city, 'city'),
  dept('gaj', city, 'city'),
  dept('jyj', county, 'county'),
  dept('xzf', township, 'township'),
];
const halls = [
  hall(city, 'city'),
  hall(county, 'county'),
  hall(township, 'township'),
  hall(village, 'village'),
];
const villagePath = [province, city, county, township, village];

describe('routing by 行使层级', () => {
  test('a county-level item is implemented by the county agency of its kind in the applicant’s county', () => {
    const r = routeItem({ exerciseLevel: 'county', departmentKind: 'jyj' }, villagePath, departments, halls);
    assert.ok(r.ok);
    assert.equal(r.value.implementingBody.name, '金水区jyj');
  });

  test('就近办 › halls from the applicant’s village up to the exercise level accept it, nearest first; only the one at that level decides', () => {
    const r = routeItem({ exerciseLevel: 'county', departmentKind: 'jyj' }, villagePath, departments, halls);
    assert.ok(r.ok);
    assert.deepEqual(
      r.value.halls.map((h) => [h.code, h.role]),
      [
        ['H410105002001', 'proxy'],
        ['H410105002', 'proxy'],
        ['H410105', 'implementing'],
      ],
    );
  });

  test('a hall above the exercise level does not take the item (the city centre does not take a township item)', () => {
    const r = routeItem({ exerciseLevel: 'township' }, villagePath, departments, halls);
    assert.ok(r.ok);
    assert.deepEqual(
      r.value.halls.map((h) => h.code),
      ['H410105002001', 'H410105002'],
    );
  });

  test('a city-level item is accepted at every level down to the applicant and decided at the city centre', () => {
    const r = routeItem({ exerciseLevel: 'city', departmentKind: 'gaj' }, villagePath, departments, halls);
    assert.ok(r.ok);
    assert.equal(r.value.implementingBody.regionCode, '410100');
    assert.deepEqual(
      r.value.halls.map((h) => h.role),
      ['proxy', 'proxy', 'proxy', 'implementing'],
    );
  });

  test('township- and village-level items are implemented by the township office', () => {
    for (const exerciseLevel of ['township', 'village'] as const) {
      const r = routeItem({ exerciseLevel, departmentKind: 'jyj' }, villagePath, departments, halls);
      assert.ok(r.ok);
      assert.equal(r.value.implementingBody.kind, 'xzf');
      assert.equal(r.value.implementingBody.regionCode, '410105002');
    }
    const v = routeItem({ exerciseLevel: 'village' }, villagePath, departments, halls);
    assert.ok(v.ok);
    assert.deepEqual(
      v.value.halls.map((h) => [h.code, h.role]),
      [['H410105002001', 'implementing']],
    );
  });

  test('a village without a station is served by its township centre', () => {
    const r = routeItem(
      { exerciseLevel: 'county', departmentKind: 'jyj' },
      [province, city, county, township, otherVillage],
      departments,
      halls,
    );
    assert.ok(r.ok);
    assert.deepEqual(
      r.value.halls.map((h) => h.code),
      ['H410105002', 'H410105'],
    );
  });

  test('an applicant region above the exercise level is refused (REGIONS.REGION_TOO_COARSE)', () => {
    const r = routeItem(
      { exerciseLevel: 'county', departmentKind: 'jyj' },
      [province, city],
      departments,
      halls,
    );
    assert.deepEqual(r, {
      ok: false,
      error: { code: 'REGIONS.REGION_TOO_COARSE', params: { levelZh: '县（市、区）', levelEn: 'county' } },
    });
  });

  test('city and county items need the department kind (REGIONS.DEPARTMENT_KIND_REQUIRED)', () => {
    const r = routeItem({ exerciseLevel: 'city' }, villagePath, departments, halls);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.error.code, 'REGIONS.DEPARTMENT_KIND_REQUIRED');
  });

  test('a county without that agency has no implementing body (REGIONS.NO_IMPLEMENTING_BODY)', () => {
    const r = routeItem(
      { exerciseLevel: 'county', departmentKind: 'jyj' },
      [province, city, zone],
      departments,
      halls,
    );
    assert.deepEqual(r, {
      ok: false,
      error: { code: 'REGIONS.NO_IMPLEMENTING_BODY', params: { region: '郑州经济技术开发区', kind: 'jyj' } },
    });
  });
});

describe('halls near a region', () => {
  test('its own hall first, then its subdivisions’, then the regions above, nearest first', () => {
    const all = [...halls, hall(zone, 'county')];
    const near = orderHallsNear(township, [province, city, county, township], [village, otherVillage], all);
    assert.deepEqual(
      near.map((h) => h.code),
      ['H410105002', 'H410105002001', 'H410105', 'H410100'],
    );
  });
});
