import { assembleGuide, basicCodeOf, type DemoSpec, parseDemoLines } from './catalog.demo.js';
import { governmentCreditCode } from './catalog.regions.js';
import type { Guide } from './catalog.types.js';

/** Test fixtures: complete, valid guides built the way the demo builds them. */
export const TEST_DEPARTMENT = {
  id: 'dept-test-scjgj',
  name: '郑州市市场监督管理局',
  creditCode: governmentCreditCode('410100', 26),
  regionCode: '410100',
};

export function specNamed(name: string): DemoSpec {
  const s = parseDemoLines().find((x) => x.name === name);
  if (!s) throw new Error(`no demo spec ${name}`);
  return s;
}

/** A valid 行政许可 guide (食品经营许可证核发 at the city market-supervision bureau). */
export function permitGuide(overrides: Partial<DemoSpec> = {}): Guide {
  const spec = { ...specNamed('食品经营许可证核发'), ...overrides };
  return assembleGuide(spec, {
    department: TEST_DEPARTMENT,
    level: 'city',
    region: { code: '410100', name: '郑州市', level: 'city' },
    hall: {
      id: 'hall-1',
      name: '郑州市民服务中心',
      address: '郑东新区心怡路',
      hours: '工作日 9:00-17:00',
      regionCode: '410100',
    },
    reconsideration: '郑州市人民政府',
    litigation: '郑州铁路运输法院',
  });
}

/** A deep copy to mutate in a test. */
export const clone = (g: Guide): Guide => structuredClone(g);

export { basicCodeOf };
