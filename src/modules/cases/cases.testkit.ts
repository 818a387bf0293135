/**
 * Test helpers for the cases module (no test framework inside): a seeded random generator for
 * property tests and a small fake calendar (weekends plus a few holidays and one 调休 day).
 */
import type { Grant, Principal } from '../../platform/http/index.js';
import { formSchemaOf } from './cases.forms.js';
import type { ApplicableItem, BundleDefinition, CasesPorts, FormFieldHint } from './cases.ports.js';
import type { DayRule } from './cases.sla.js';
import { dateOf, dayNumber } from './cases.sla.js';

/** the kernel's seeded generator, under the name the tests use */
export { pick, seededRandom as seeded } from '../../kernel/index.js';

/** Weekends off, plus the given holidays off and make-up days on. */
export function fakeCalendar(
  opts: { holidays?: readonly string[]; makeup?: readonly string[] } = {},
): DayRule {
  const off = new Set(
    opts.holidays ?? ['2025-10-01', '2025-10-02', '2025-10-03', '2025-10-06', '2025-10-07', '2025-10-08'],
  );
  const on = new Set(opts.makeup ?? ['2025-09-28', '2025-10-11']);
  return {
    isWorkingDay(date) {
      if (on.has(date)) return true;
      if (off.has(date)) return false;
      const w = new Date(`${date}T00:00:00Z`).getUTCDay();
      return w !== 0 && w !== 6;
    },
    describe(date) {
      if (on.has(date)) return '调休';
      if (off.has(date)) return '国庆节';
      return undefined;
    },
  };
}

/** A random calendar: weekends, plus random days off and random weekend make-up days. */
export function randomCalendar(rnd: () => number, from: string, days: number): DayRule {
  const holidays: string[] = [];
  const makeup: string[] = [];
  const base = dayNumber(from);
  for (let i = 0; i < days; i++) {
    const r = rnd();
    if (r < 0.08) holidays.push(dateOf(base + i));
    else if (r < 0.1) makeup.push(dateOf(base + i));
  }
  return fakeCalendar({ holidays, makeup });
}

// ── fake neighbours for service tests and the bench ───────────────────────────────────────────

const FIELDS: FormFieldHint[] = [
  { name: 'applicantName', label: '申请人姓名', type: 'string', required: true, prefill: 'applicantName' },
  { name: 'phone', label: '联系电话', type: 'string', required: true },
  { name: 'purpose', label: '申请事由', type: 'enum', required: true, options: ['新办', '变更', '注销'] },
  { name: 'startDate', label: '开始日期', type: 'date', required: false },
];

export function fakeItem(over: Partial<ApplicableItem> & { implementationCode: string }): ApplicableItem {
  return {
    version: 1,
    name: '食品经营许可',
    itemType: '01',
    handlingKind: 'promised',
    promisedDays: 10,
    statutoryDays: 20,
    exerciseLevel: 'city',
    depth: 4,
    departmentId: 'dept-city-amr',
    regionCode: '410100',
    audiences: ['person', 'organization'],
    realNameLevel: 2,
    citywide: false,
    proxyAcceptance: false,
    allowsDeficiency: true,
    allowsCommitment: true,
    steps: ['审核', '审批'],
    formSchema: formSchemaOf(FIELDS),
    formFields: FIELDS,
    materials: [
      { code: 'id-card', name: '身份证明', required: true, source: 'government', licenceType: '居民身份证' },
      { code: 'plan', name: '经营场所平面图', required: true, source: 'applicant' },
    ],
    ...over,
  };
}

/** Item codes: 18-char credit code + 12-digit basic code + 2-digit variant. */
export const ITEM_CITY = '114101000012345678010010050000' + '00';
export const ITEM_COUNTY = '114101050012345678070010020000' + '00';
export const ITEM_IMMEDIATE = '114101000012345679200010030000' + '00';
export const ITEM_DEPTH1 = '114101000012345670010010090000' + '00';

export function fakePorts(
  rule: DayRule = fakeCalendar(),
): CasesPorts & { items: Map<string, ApplicableItem>; bundles: Map<string, BundleDefinition> } {
  const items = new Map<string, ApplicableItem>([
    [ITEM_CITY, fakeItem({ implementationCode: ITEM_CITY })],
    [
      ITEM_COUNTY,
      fakeItem({
        implementationCode: ITEM_COUNTY,
        name: '个体工商户登记',
        itemType: '07',
        exerciseLevel: 'county',
        departmentId: 'dept-county-amr',
        regionCode: '410105',
        citywide: true,
        promisedDays: 3,
        statutoryDays: 15,
      }),
    ],
    [
      ITEM_IMMEDIATE,
      fakeItem({
        implementationCode: ITEM_IMMEDIATE,
        name: '社保卡申领',
        itemType: '20',
        handlingKind: 'immediate',
        promisedDays: 0,
        statutoryDays: 0,
      }),
    ],
    [ITEM_DEPTH1, fakeItem({ implementationCode: ITEM_DEPTH1, name: '仅公开事项', depth: 1 })],
  ]);
  const bundles = new Map<string, BundleDefinition>([
    [
      'BIRTH',
      {
        code: 'BIRTH',
        name: '新生儿出生一件事',
        regionCode: '410100',
        members: [
          { implementationCode: ITEM_CITY, name: '出生医学证明' },
          { implementationCode: ITEM_IMMEDIATE, name: '社保卡申领' },
        ],
      },
    ],
  ]);
  return {
    items,
    bundles,
    catalog: {
      applicableItem: async (code) => items.get(code),
      bundle: async (code) => bundles.get(code),
    },
    regions: {
      async decidingBody(item, applicantRegion) {
        if (!applicantRegion.startsWith('4101')) return undefined;
        if (item.exerciseLevel === 'county') {
          const county = applicantRegion.slice(0, 6);
          return {
            departmentId: `${item.departmentId}-${county}`,
            regionCode: county,
            implementationCode: item.implementationCode,
          };
        }
        return {
          departmentId: item.departmentId,
          regionCode: item.regionCode,
          implementationCode: item.implementationCode,
        };
      },
      async department(id) {
        // the city bureau, and the county bureaus decidingBody names `<department>-<county>`
        const regionCode = id === 'dept-city-amr' ? '410100' : /-(\d{6})$/.exec(id)?.[1];
        return regionCode ? { id, regionCode } : undefined;
      },
      async hall(id) {
        const halls: Record<string, string> = {
          'hall-city': '410100',
          'hall-jinshui-001': '410105001',
          'hall-zhongyuan': '410102',
        };
        const regionCode = halls[id];
        return regionCode ? { id, regionCode, cityCode: '410100' } : undefined;
      },
    },
    identity: {
      prefill: async () => ({ applicantName: '张三' }),
      // the people of PRINCIPALS are the accounts the fake knows
      applicant: async (ref) => {
        const p = Object.values(PRINCIPALS).find((x) => x.accountId === ref);
        return p?.kind === 'person'
          ? { accountId: p.accountId, kind: 'person' as const, realNameLevel: p.realNameLevel }
          : undefined;
      },
    },
    calendar: { rule: async () => rule },
  };
}

const grant = (
  role: string,
  permissions: string[],
  regionPrefix: string,
  departmentId: string | null = null,
): Grant => ({
  role,
  permissions,
  regionPrefix,
  departmentId,
});

export const PRINCIPALS = {
  citizen: {
    accountId: 'acc-citizen',
    kind: 'person',
    login: 'citizen',
    displayName: '张*',
    realNameLevel: 2,
    via: 'bearer',
    grants: [grant('citizen', ['cases.apply', 'cases.readOwn'], '')],
  },
  otherCitizen: {
    accountId: 'acc-other',
    kind: 'person',
    login: 'other',
    displayName: '李*',
    realNameLevel: 2,
    via: 'bearer',
    grants: [grant('citizen', ['cases.apply', 'cases.readOwn'], '')],
  },
  cityClerk: {
    accountId: 'acc-city-clerk',
    kind: 'staff',
    login: 'city-clerk',
    displayName: '窗口',
    realNameLevel: 3,
    via: 'bearer',
    grants: [
      grant(
        'windowClerk',
        ['cases.read', 'cases.accept', 'cases.requestSupplement', 'cases.refuse', 'workbench.view'],
        '4101',
      ),
    ],
  },
  zhongyuanClerk: {
    accountId: 'acc-zy-clerk',
    kind: 'staff',
    login: 'zy-clerk',
    displayName: '中原窗口',
    realNameLevel: 3,
    via: 'bearer',
    grants: [
      grant(
        'windowClerk',
        ['cases.read', 'cases.accept', 'cases.requestSupplement', 'cases.refuse', 'workbench.view'],
        '410102',
      ),
    ],
  },
  approver: {
    accountId: 'acc-approver',
    kind: 'staff',
    login: 'approver',
    displayName: '审批',
    realNameLevel: 3,
    via: 'bearer',
    grants: [
      grant(
        'approver',
        ['cases.read', 'cases.review', 'cases.decide', 'workbench.view'],
        '4101',
        'dept-city-amr',
      ),
    ],
  },
} satisfies Record<string, Principal>;
