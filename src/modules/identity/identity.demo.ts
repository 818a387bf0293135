import type { LegalPerson } from './identity.context.js';

/**
 * The demo city's people and accounts (CONTRACT.md "demo accounts"). Every ID number here is
 * generated (GB 11643-valid, never a real person's); other modules seed their demo data for the same
 * people through this constant (licences for DEMO_PEOPLE.citizen, cases for the enterprise …).
 */
export const DEMO_PASSWORD = 'tongban-demo';

export const DEMO_PEOPLE = {
  /** the `citizen` login: 自然人, real-name level L2 */
  citizen: {
    name: '张三',
    idNumber: '410105199003070114',
    mobile: '13800000000',
    bankCard: '6222020000000000011',
    socialSecurityCard: 'A41010500011',
  },
  /** the `enterprise` login's 经办人 (agent) */
  enterpriseAgent: {
    name: '李四',
    idNumber: '410105198511200224',
    mobile: '13800000001',
    bankCard: '6222020000000000022',
    socialSecurityCard: 'A41010500022',
  },
  /**
   * the `legalrep` login: 法定代表人 of the demo companies, L2; confirms an organisation account
   * that claims one of them (organisation verification)
   */
  legalRepresentative: {
    name: '赵六',
    idNumber: '410105197608210336',
    mobile: '13800000003',
    bankCard: '6222020000000000044',
    socialSecurityCard: 'A41010500044',
  },
  /**
   * the `elder` login: an elderly resident of 体育社区 (金水区经八路街道, 410105001003), L2, who has
   * given the `grid-worker` login a 委托 (帮办代办) for every item
   */
  elderly: {
    name: '孙秀英',
    idNumber: '410105194803120447',
    mobile: '13800000004',
    bankCard: '6222020000000000055',
    socialSecurityCard: 'A41010500055',
  },
  /** in the register but without an account: register as this person to try L2 verification */
  unregistered: {
    name: '王五',
    idNumber: '410103200101090461',
    mobile: '13800000002',
    bankCard: '6222020000000000033',
    socialSecurityCard: 'A41010300033',
  },
} as const;

/** The `enterprise` login's organisation (法人); the credit code is GB 32100- and GB 11714-valid and made up. */
export const DEMO_ORGANIZATION = {
  name: '郑州通办示范科技有限公司',
  creditCode: '91410105202600012R',
  legalRepresentative: '赵六',
  regionCode: '410105',
} as const;

/**
 * The demo legal-person register (a stand-in for the exchange's 法人库): made-up companies, every
 * credit code GB 32100- and GB 11714-valid, all marked demo. 赵六 (the `legalrep` login) represents
 * them. The `enterprise` login holds the first, verified at seed time; the restaurant has no
 * account (register one and confirm it as `legalrep` to try the flow); the trading company is
 * deregistered (注销) and cannot be verified; the logistics company is registered in 上街区, outside
 * the demo clerk's county.
 */
const companies: ReadonlyArray<{ name: string; creditCode: string; status?: LegalPerson['status'] }> = [
  DEMO_ORGANIZATION,
  { name: '郑州通办示范餐饮管理有限公司', creditCode: '91410105202600020L' },
  { name: '郑州通办示范商贸有限公司', creditCode: '91410105202600039H', status: 'deregistered' },
  { name: '郑州通办示范物流有限公司', creditCode: '91410106202600055M' },
];
export const DEMO_LEGAL_PERSONS: ReadonlyArray<LegalPerson> = companies.map((c) => ({
  creditCode: c.creditCode,
  name: c.name,
  legalRepresentative: {
    name: DEMO_PEOPLE.legalRepresentative.name,
    idNumber: DEMO_PEOPLE.legalRepresentative.idNumber,
  },
  status: c.status ?? 'active',
  demo: true,
}));

/**
 * The demo population register the L2 verifier checks against (a stand-in for the 人口库 /
 * 公安 identity check and the bank / social-security channels of a real deployment).
 */
export const DEMO_POPULATION_REGISTER: ReadonlyArray<{
  readonly name: string;
  readonly idNumber: string;
  readonly mobile: string;
  readonly bankCard: string;
  readonly socialSecurityCard: string;
}> = Object.values(DEMO_PEOPLE);

export type DemoStaffLogin =
  | 'clerk'
  | 'approver'
  | 'county-approver'
  | 'discloser'
  | 'supervisor'
  | 'admin'
  | 'hall-manager'
  | 'grid-worker';

/** The community the demo grid worker serves and the `elder` login lives in (体育社区, 经八路街道). */
export const DEMO_GRID_REGION = '410105001003';

/**
 * Staff accounts. Department and hall ids come from the regions module at seed time (looked up by
 * the names below); the region prefixes are the scopes of their grants.
 */
export const DEMO_STAFF: ReadonlyArray<{
  readonly login: DemoStaffLogin;
  readonly name: string;
  readonly role:
    | 'windowClerk'
    | 'approver'
    | 'departmentAdmin'
    | 'supervisor'
    | 'platformAdmin'
    | 'hallManager'
    | 'gridWorker';
  readonly regionPrefix: string;
  /**
   * looked up through the regions module by agency kind (`scjgj` 市场监督管理局) and region;
   * null: every department of the region
   */
  readonly department: { readonly kind: string; readonly regionCode: string; readonly name: string } | null;
  readonly hallRegionCode: string | null;
  readonly mobile: string;
}> = [
  {
    login: 'clerk',
    name: '陈窗口',
    role: 'windowClerk',
    // 郑州市金水区经八路街道便民服务中心
    regionPrefix: '410105001',
    department: null,
    hallRegionCode: '410105001',
    mobile: '13800000010',
  },
  {
    login: 'approver',
    name: '周审批',
    role: 'approver',
    regionPrefix: '4101',
    department: { kind: 'scjgj', regionCode: '410100', name: '郑州市市场监督管理局' },
    hallRegionCode: null,
    mobile: '13800000011',
  },
  {
    login: 'county-approver',
    name: '吴审批',
    role: 'approver',
    regionPrefix: '410105',
    department: { kind: 'scjgj', regionCode: '410105', name: '金水区市场监督管理局' },
    hallRegionCode: null,
    mobile: '13800000012',
  },
  {
    // 政务公开 of 郑州市市场监督管理局: answers its 依申请公开 requests and publishes its information
    login: 'discloser',
    name: '秦公开',
    role: 'departmentAdmin',
    regionPrefix: '4101',
    department: { kind: 'scjgj', regionCode: '410100', name: '郑州市市场监督管理局' },
    hallRegionCode: null,
    mobile: '13800000015',
  },
  {
    login: 'supervisor',
    name: '郑监察',
    role: 'supervisor',
    regionPrefix: '4101',
    department: null,
    hallRegionCode: null,
    mobile: '13800000013',
  },
  {
    login: 'admin',
    name: '冯管理',
    role: 'platformAdmin',
    regionPrefix: '',
    department: null,
    hallRegionCode: null,
    mobile: '13800000014',
  },
  {
    // 大厅管理 of 郑州市金水区经八路街道便民服务中心 (H410105001): windows, lines, hours, quotas, the day's figures
    login: 'hall-manager',
    name: '褚厅长',
    role: 'hallManager',
    regionPrefix: '410105001',
    department: null,
    hallRegionCode: '410105001',
    mobile: '13800000016',
  },
  {
    // 网格员 of 体育社区 (410105001003): 帮办代办 for the residents who delegated to them (the `elder` login)
    login: 'grid-worker',
    name: '卫网格',
    role: 'gridWorker',
    regionPrefix: DEMO_GRID_REGION,
    department: null,
    hallRegionCode: null,
    mobile: '13800000017',
  },
];
