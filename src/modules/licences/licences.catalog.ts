import { generateCreditCode } from '../../platform/codes/index.js';
import type { Issuer, LicenceType } from './licences.types.js';

/**
 * The demo directory of licence types (证照目录) and issuing bodies. Names and defining
 * authorities are the real ones; the 统一社会信用代码 here are demo codes that pass the GB 32100
 * check but are NOT the bodies' real codes. Type code = authority code + 3-digit serial (GB/T 36904).
 */
/** a government body (登记管理部门 1 = 机构编制, 类别 1 = 机关) in a region; serials 88xxxxxx are this list's */
const gov = (regionCode: string, n: number): string =>
  generateCreditCode({ regionCode, serial: 88_000_000 + n });

const AUTHORITIES = {
  samr: { name: '国家市场监督管理总局', code: gov('100000', 1) },
  nmpa: { name: '国家药品监督管理局', code: gov('100000', 2) },
  nhc: { name: '国家卫生健康委员会', code: gov('100000', 3) },
  mca: { name: '民政部', code: gov('100000', 4) },
  mps: { name: '公安部', code: gov('100000', 5) },
  mnr: { name: '自然资源部', code: gov('100000', 6) },
  mohurd: { name: '住房和城乡建设部', code: gov('100000', 7) },
  mot: { name: '交通运输部', code: gov('100000', 8) },
  mee: { name: '生态环境部', code: gov('100000', 9) },
  mwr: { name: '水利部', code: gov('100000', 10) },
  moe: { name: '教育部', code: gov('100000', 11) },
  mohrss: { name: '人力资源和社会保障部', code: gov('100000', 12) },
  tobacco: { name: '国家烟草专卖局', code: gov('100000', 13) },
  mem: { name: '应急管理部', code: gov('100000', 14) },
  cdpf: { name: '中国残疾人联合会', code: gov('100000', 15) },
} as const;
type AuthorityKey = keyof typeof AUTHORITIES;

/** Zhengzhou issuing bodies (颁证单位) for the demo. */
export const DEMO_ISSUERS = {
  amrCity: { name: '郑州市市场监督管理局', regionCode: '410100', code: gov('410100', 1) },
  amrJinshui: { name: '郑州市金水区市场监督管理局', regionCode: '410105', code: gov('410105', 1) },
  health: { name: '郑州市卫生健康委员会', regionCode: '410100', code: gov('410100', 2) },
  civilJinshui: { name: '郑州市金水区民政局', regionCode: '410105', code: gov('410105', 2) },
  policeJinshui: { name: '郑州市公安局金水分局', regionCode: '410105', code: gov('410105', 3) },
  realEstate: { name: '郑州市不动产登记中心', regionCode: '410100', code: gov('410100', 3) },
  planning: { name: '郑州市自然资源和规划局', regionCode: '410100', code: gov('410100', 4) },
  housing: { name: '郑州市城乡建设局', regionCode: '410100', code: gov('410100', 5) },
  transport: { name: '郑州市交通运输局', regionCode: '410100', code: gov('410100', 6) },
  ecology: { name: '郑州市生态环境局', regionCode: '410100', code: gov('410100', 7) },
  water: { name: '郑州市水利局', regionCode: '410100', code: gov('410100', 8) },
  education: { name: '郑州市教育局', regionCode: '410100', code: gov('410100', 9) },
  hrss: { name: '郑州市人力资源和社会保障局', regionCode: '410100', code: gov('410100', 10) },
  tobacco: { name: '郑州市烟草专卖局', regionCode: '410100', code: gov('410100', 11) },
  emergency: { name: '郑州市应急管理局', regionCode: '410100', code: gov('410100', 12) },
  disabled: { name: '郑州市残疾人联合会', regionCode: '410100', code: gov('410100', 13) },
} as const satisfies Record<string, Issuer>;
type IssuerKey = keyof typeof DEMO_ISSUERS;

type Row = [
  name: string,
  nameEn: string,
  authority: AuthorityKey,
  holderKind: 'person' | 'organization',
  validityYears: number | null,
  issuer: IssuerKey,
];
const ROWS: Row[] = [
  ['营业执照', 'Business licence', 'samr', 'organization', null, 'amrJinshui'],
  ['食品经营许可证', 'Food business licence', 'samr', 'organization', 5, 'amrJinshui'],
  ['食品生产许可证', 'Food production licence', 'samr', 'organization', 5, 'amrCity'],
  ['特种设备使用登记证', 'Special equipment use registration', 'samr', 'organization', null, 'amrCity'],
  ['药品经营许可证', 'Drug trading licence', 'nmpa', 'organization', 5, 'amrCity'],
  ['医疗器械经营许可证', 'Medical device trading licence', 'nmpa', 'organization', 5, 'amrCity'],
  ['出生医学证明', 'Medical birth certificate', 'nhc', 'person', null, 'health'],
  ['医师执业证书', 'Physician practising certificate', 'nhc', 'person', null, 'health'],
  ['护士执业证书', 'Nurse practising certificate', 'nhc', 'person', 5, 'health'],
  ['医疗机构执业许可证', 'Medical institution practising licence', 'nhc', 'organization', 5, 'health'],
  ['公共场所卫生许可证', 'Public place hygiene licence', 'nhc', 'organization', 4, 'health'],
  ['结婚证', 'Marriage certificate', 'mca', 'person', null, 'civilJinshui'],
  ['离婚证', 'Divorce certificate', 'mca', 'person', null, 'civilJinshui'],
  [
    '社会团体法人登记证书',
    'Social organisation registration certificate',
    'mca',
    'organization',
    5,
    'civilJinshui',
  ],
  ['居民户口簿', 'Household register', 'mps', 'person', null, 'policeJinshui'],
  ['居民身份证', 'Resident identity card', 'mps', 'person', 20, 'policeJinshui'],
  ['机动车驾驶证', 'Driving licence', 'mps', 'person', 6, 'policeJinshui'],
  ['机动车行驶证', 'Vehicle registration certificate', 'mps', 'person', null, 'policeJinshui'],
  ['不动产权证书', 'Real property title certificate', 'mnr', 'person', null, 'realEstate'],
  ['不动产登记证明', 'Real property registration proof', 'mnr', 'person', null, 'realEstate'],
  ['建设用地规划许可证', 'Land-use planning permit', 'mnr', 'organization', null, 'planning'],
  ['建设工程规划许可证', 'Construction project planning permit', 'mnr', 'organization', null, 'planning'],
  ['建筑工程施工许可证', 'Construction permit', 'mohurd', 'organization', null, 'housing'],
  ['建筑业企业资质证书', 'Construction enterprise qualification', 'mohurd', 'organization', 5, 'housing'],
  ['道路运输经营许可证', 'Road transport operating licence', 'mot', 'organization', 4, 'transport'],
  ['道路运输证', 'Road transport certificate', 'mot', 'organization', 4, 'transport'],
  ['道路运输从业人员从业资格证', 'Road transport qualification', 'mot', 'person', 6, 'transport'],
  ['排污许可证', 'Pollutant discharge permit', 'mee', 'organization', 5, 'ecology'],
  ['取水许可证', 'Water abstraction permit', 'mwr', 'organization', 5, 'water'],
  ['教师资格证书', 'Teacher qualification certificate', 'moe', 'person', null, 'education'],
  ['民办学校办学许可证', 'Private school licence', 'moe', 'organization', 5, 'education'],
  ['人力资源服务许可证', 'Human resources service licence', 'mohrss', 'organization', null, 'hrss'],
  ['烟草专卖零售许可证', 'Tobacco retail licence', 'tobacco', 'organization', 5, 'tobacco'],
  ['安全生产许可证', 'Work safety licence', 'mem', 'organization', 3, 'emergency'],
  ['中华人民共和国残疾人证', 'Disability certificate', 'cdpf', 'person', null, 'disabled'],
];

// base registers (人口, 法人, 不动产) are shared unconditionally; the rest on conditions
const UNCONDITIONAL = new Set([
  '营业执照',
  '居民户口簿',
  '居民身份证',
  '不动产权证书',
  '出生医学证明',
  '结婚证',
]);

export interface DemoLicenceType extends LicenceType {
  readonly defaultIssuer: IssuerKey;
}

const serialByAuthority = new Map<string, number>();
export const DEMO_TYPES: readonly DemoLicenceType[] = ROWS.map(
  ([name, nameEn, a, holderKind, validityYears, issuer]) => {
    const auth = AUTHORITIES[a];
    const n = (serialByAuthority.get(a) ?? 0) + 1;
    serialByAuthority.set(a, n);
    return {
      code: `${auth.code}${String(n).padStart(3, '0')}`,
      name,
      nameEn,
      authorityName: auth.name,
      authorityCode: auth.code,
      holderKind,
      shareScope: UNCONDITIONAL.has(name) ? 'unconditional' : 'conditional',
      validityYears,
      defaultIssuer: issuer,
    };
  },
);

export const demoType = (name: string): DemoLicenceType => {
  const t = DEMO_TYPES.find((x) => x.name === name);
  if (!t) throw new Error(`no demo licence type ${name}`);
  return t;
};

/**
 * The demo holders: the same people as the identity module's DEMO_PEOPLE.citizen and
 * DEMO_ORGANIZATION (identity.demo.ts), so the demo accounts link to these licences. Spouse and
 * child are generated GB 11643-valid numbers of no real person.
 */
export const DEMO_HOLDERS = {
  citizen: { name: '张三', idType: '111', idNumber: '410105199003070114' },
  spouse: { name: '李娜', idType: '111', idNumber: '410102199104122025' },
  child: { name: '张思源', idType: '111', idNumber: '410105202006151248' },
  enterprise: { name: '郑州通办示范科技有限公司', idType: '001', idNumber: '91410105202600012R' },
} as const;
