import {
  ZHENGZHOU_CONVENIENCE_ITEMS,
  ZHENGZHOU_INFORMATION_ITEMS,
  ZHENGZHOU_REGIONS,
  generateConvenience,
  generatePublications,
} from '../src/modules/disclosure/index.js';
import type { SearchDoc } from '../src/modules/search/index.js';
import { FIXTURE_ITEMS } from '../test/search/fixture-items.js';

/** 3,498 power + 1,816 public-service items (DOMAIN.md §1): the fixture names implemented in every unit. */
export const ZHENGZHOU_SERVICE_ITEMS = 3_498 + 1_816;

/**
 * The Zhengzhou-scale corpus in memory: service items (the real item names implemented by the
 * city and each county-level unit, with a short guide text), 73,139 information items and
 * 20,004 convenience entries from the disclosure generator.
 */
export function* zhengzhouCorpus(scale = 1): Generator<SearchDoc> {
  const items = Math.round(ZHENGZHOU_SERVICE_ITEMS * scale);
  for (let i = 0; i < items; i++) {
    const [name, dept, type, themes, depth] = FIXTURE_ITEMS[i % FIXTURE_ITEMS.length]!;
    const round = Math.floor(i / FIXTURE_ITEMS.length);
    const region = ZHENGZHOU_REGIONS[round % ZHENGZHOU_REGIONS.length]!;
    const unitDept = region.code === '410100' ? dept : dept.replace('郑州市', region.name);
    yield {
      kind: 'item',
      id: `item-${i}`,
      title: round < ZHENGZHOU_REGIONS.length ? name : `${name}（${region.name}第${round}类情形）`,
      body: `${unitDept}办理${name}。申请人可通过一网通办平台在线申请，或到${region.name}政务服务中心综合窗口提交材料，承诺时限${1 + (i % 15)}个工作日。`,
      url: `/items/item-${i}`,
      region: region.code,
      department: unitDept,
      type,
      themes,
      depth,
    };
  }
  let n = 0;
  for (const p of generatePublications(Math.round(ZHENGZHOU_INFORMATION_ITEMS * scale))) {
    const id = `info-${n++}`;
    yield {
      kind: 'information',
      id,
      title: p.title,
      body: p.body,
      url: `/disclosure/${id}`,
      region: p.regionCode,
      department: p.department,
      type: p.domain,
    };
  }
  n = 0;
  for (const c of generateConvenience(Math.round(ZHENGZHOU_CONVENIENCE_ITEMS * scale))) {
    const id = `conv-${n++}`;
    yield {
      kind: 'convenience',
      id,
      title: c.name,
      body: `${c.address}。${c.description}`,
      url: `/convenience/${id}`,
      region: c.regionCode,
      type: c.class,
    };
  }
}
