import {
  AGENCY_KIND,
  COUNTY_AGENCY_OF,
  COUNTY_KIND_OF,
  DEMO_ITEM_LINES,
  DEMO_MATERIALS,
} from './catalog.demo-data.js';
import type { CatalogDepartment, CatalogHall, CatalogRegion, RegionLevel } from './catalog.regions.js';
import {
  type Audience,
  type Bundle,
  type Depth,
  type ExerciseLevel,
  type FormField,
  type Guide,
  type GuideInput,
  type ItemType,
  type Material,
  ON_APPLICATION_TYPES,
  type RealNameLevel,
  type Situation,
  type Step,
  implementationCodeOf,
} from './catalog.types.js';

/**
 * Expands the compact demo lines (catalog.demo-data.ts) into complete guides for the city and its
 * demo counties, townships and villages, and generates the Zhengzhou-scale corpus (3,498 power +
 * 1,816 public-service items). Everything here is deterministic: the same input gives the same
 * codes and text, so a re-run or an export/import round trip matches.
 */

export interface DemoSpec {
  agency: string;
  name: string;
  type: ItemType;
  promised: number;
  statutory: number;
  depth: Depth;
  themes: string[];
  audiences: Audience[];
  materials: string[];
  levels: string;
  result?: string;
  licenceType?: string;
  fee?: { name: string; standard: string; basis: string };
  basis?: { law: string; article: string };
  unit: 'workingDay' | 'naturalDay';
  /** 实名等级 the applicant needs (default L2; `rn=3` where the law has the applicant appear in person) */
  realNameLevel?: RealNameLevel;
  /** basic code main serial */
  serial: number;
}

export function parseDemoLines(text: string = DEMO_ITEM_LINES): DemoSpec[] {
  const out: DemoSpec[] = [];
  const agencyIndex = new Map<string, number>();
  const perAgency = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const f = line.split('|');
    const [agency, name, type, p, s, depth, themes, who, materials, levels, ...extras] = f;
    if (!agency || !name || !type) continue;
    if (!agencyIndex.has(agency)) agencyIndex.set(agency, agencyIndex.size + 1);
    const n = (perAgency.get(agency) ?? 0) + 1;
    perAgency.set(agency, n);
    const kv = new Map(extras.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] as const));
    const fee = kv.get('fee')?.split(':');
    const basis = kv.get('basis');
    const colon = basis ? basis.lastIndexOf(':') : -1;
    out.push({
      agency,
      name,
      type: type as ItemType,
      promised: Number(p),
      statutory: Number(s),
      depth: Number(depth) as Depth,
      themes: themes ? themes.split(',') : [],
      audiences: who === 'po' ? ['person', 'organization'] : who === 'o' ? ['organization'] : ['person'],
      materials: materials ? materials.split(',').filter(Boolean) : [],
      levels: levels ?? '',
      result: kv.get('result'),
      licenceType: kv.get('lic'),
      fee:
        fee && fee.length >= 3
          ? { name: fee[0]!, standard: fee[1]!, basis: fee.slice(2).join(':') }
          : undefined,
      basis: basis && colon > 0 ? { law: basis.slice(0, colon), article: basis.slice(colon + 1) } : undefined,
      unit: kv.get('unit') === 'n' ? 'naturalDay' : 'workingDay',
      ...(kv.get('rn') === '3' ? { realNameLevel: 3 as const } : {}),
      serial: agencyIndex.get(agency)! * 1000 + n,
    });
  }
  return out;
}

/** 追责 wording of the demo's 责任清单: who answers, under which law */
const ACCOUNTABLE =
  '，由其上级行政机关或者监察机关责令改正，对直接负责的主管人员和其他直接责任人员依法给予处分（《中华人民共和国行政许可法》第七十二条至第七十七条、《中华人民共和国公职人员政务处分法》）';

export function basicCodeOf(type: ItemType, serial: number, sub = 0): string {
  return `${type}${String(serial).padStart(7, '0')}${String(sub).padStart(3, '0')}`;
}

const slug = (s: string, i: number) => `m${String(i + 1).padStart(2, '0')}-${s}`;

function isFormName(name: string): boolean {
  return /(申请表|申请书|登记表|审批表|备案表|申报表|信息表|审核表|申领表|承诺书|授权书)$/.test(name);
}

/** Builds one material from its demo key (`@id`, `?名称` …). */
export function demoMaterial(key: string, i: number, basicCode: string): Material {
  const optional = key.startsWith('?');
  const k = optional ? key.slice(1) : key;
  const requiredWhen = optional
    ? k.includes('委托')
      ? '委托他人代为办理时提交'
      : k.includes('marriage') || k === '@marriage'
        ? '申请人已婚的提交'
        : '存在该情况时提交'
    : undefined;
  if (k.startsWith('@')) {
    const g = DEMO_MATERIALS[k.slice(1)];
    if (!g) throw new Error(`unknown demo material ${k}`);
    return {
      code: slug(k.slice(1), i),
      name: g.name,
      form: 'either',
      necessity: optional ? 'optional' : 'required',
      requiredWhen,
      source: 'government',
      licenceType: g.licenceType,
      sharedData: g.sharedData,
      issuer: g.issuer,
      originals: 1,
      copies: 0,
      notes: '已在本平台归集的电子证照或共享数据可免于提交；无法调取时请提供原件',
    };
  }
  const form = isFormName(k);
  return {
    code: slug(form ? 'form' : 'doc', i),
    name: k,
    form: form ? 'either' : 'paper',
    necessity: optional ? 'optional' : 'required',
    requiredWhen,
    source: 'applicant',
    originals: 1,
    copies: form ? 0 : 1,
    blankForm: form ? `/items/forms/${basicCode}-${i + 1}.pdf` : undefined,
    sample: form ? `/items/samples/${basicCode}-${i + 1}.pdf` : undefined,
    notes: form ? '可在线填写，提交后系统自动生成' : '复印件须注明“与原件一致”并签字（盖章）',
  };
}

const STEP_NAMES: Record<'permit' | 'process' | 'enforce', readonly string[]> = {
  permit: ['受理', '审核', '审批', '办结', '送达'],
  process: ['受理', '审查', '决定', '送达'],
  enforce: ['立案', '调查取证', '审查决定', '送达执行'],
};

function steps(type: ItemType, promised: number, unit: 'workingDay' | 'naturalDay', office: string): Step[] {
  const names =
    type === '01'
      ? STEP_NAMES.permit
      : ON_APPLICATION_TYPES.includes(type)
        ? STEP_NAMES.process
        : STEP_NAMES.enforce;
  // 受理 is on the spot; the review steps share the promised days; 办结 and 送达 take none
  const review = Math.floor(promised * 0.6);
  const decide = promised - review;
  return names.map((name, i) => {
    const days = i === 1 ? review : i === 2 ? decide : 0;
    return {
      name,
      office: i === 0 ? `${office}（综合受理窗口）` : office,
      limit: { days, unit },
      description: stepDescription(name),
    };
  });
}

function stepDescription(name: string): string {
  switch (name) {
    case '受理':
      return '对申请材料进行形式审查，材料齐全、符合法定形式的当场受理；材料不全的一次性告知需补正的全部内容';
    case '审核':
    case '审查':
      return '对申请材料的实质内容进行审查，必要时进行现场核查';
    case '审批':
    case '决定':
      return '作出准予或不予的决定；不予的，书面说明理由并告知申请行政复议或提起行政诉讼的权利';
    case '办结':
      return '制作办理结果文书或证照';
    case '送达':
      return '通过窗口领取、邮寄或电子证照方式送达办理结果';
    default:
      return '依照法定程序办理';
  }
}

function defaultBasis(type: ItemType): { law: string; article: string } {
  switch (type) {
    case '01':
      return { law: '《中华人民共和国行政许可法》', article: '第十二条' };
    case '02':
      return { law: '《中华人民共和国行政处罚法》', article: '第八条' };
    case '03':
      return { law: '《中华人民共和国行政强制法》', article: '第九条' };
    default:
      return { law: '《河南省政务服务事项基本目录》', article: '第一部分' };
  }
}

const APPLICANT_PERSON: FormField[] = [
  {
    name: 'applicantName',
    label: '申请人姓名',
    type: 'string',
    required: true,
    prefill: 'applicantName',
    section: 'applicant',
    maxLength: 50,
  },
  {
    name: 'idNumber',
    label: '公民身份号码',
    type: 'string',
    required: true,
    prefill: 'idNumber',
    section: 'applicant',
    pattern: '^\\d{17}[\\dX]$',
  },
  {
    name: 'mobile',
    label: '联系电话',
    type: 'string',
    required: true,
    prefill: 'mobile',
    section: 'applicant',
    pattern: '^1\\d{10}$',
  },
  {
    name: 'address',
    label: '联系地址',
    type: 'string',
    required: false,
    prefill: 'address',
    section: 'applicant',
    maxLength: 200,
  },
];
const APPLICANT_ORG: FormField[] = [
  {
    name: 'organizationName',
    label: '单位名称',
    type: 'string',
    required: true,
    prefill: 'applicantName',
    section: 'applicant',
    maxLength: 100,
  },
  {
    name: 'creditCode',
    label: '统一社会信用代码',
    type: 'string',
    required: true,
    prefill: 'creditCode',
    section: 'applicant',
    pattern: '^[0-9A-HJ-NPQRTUWXY]{18}$',
  },
  {
    name: 'agentName',
    label: '经办人姓名',
    type: 'string',
    required: true,
    section: 'applicant',
    maxLength: 50,
  },
  {
    name: 'mobile',
    label: '经办人联系电话',
    type: 'string',
    required: true,
    prefill: 'mobile',
    section: 'applicant',
    pattern: '^1\\d{10}$',
  },
];
const DELIVERY: FormField = {
  name: 'deliveryMethod',
  label: '结果领取方式',
  type: 'enum',
  required: true,
  options: ['窗口领取', '邮寄送达', '电子证照'],
  section: 'delivery',
  widget: 'radio',
};

/** Item-specific questions of the items the demo cases use. */
const ITEM_FIELDS: Record<string, Array<Partial<FormField> & Pick<FormField, 'name' | 'label' | 'type'>>> = {
  个体工商户设立登记: [
    {
      name: 'businessName',
      label: '个体工商户名称',
      type: 'string',
      required: false,
      maxLength: 60,
      hint: '可以不使用名称',
    },
    {
      name: 'businessScope',
      label: '经营范围',
      type: 'string',
      required: true,
      maxLength: 500,
      widget: 'textarea',
    },
    { name: 'premisesAddress', label: '经营场所', type: 'string', required: true, maxLength: 200 },
    { name: 'capital', label: '资金数额（万元）', type: 'number', required: true },
    {
      name: 'organizationForm',
      label: '组成形式',
      type: 'enum',
      required: true,
      options: ['个人经营', '家庭经营'],
      widget: 'radio',
    },
  ],
  食品经营许可证核发: [
    {
      name: 'operatorType',
      label: '经营主体业态',
      type: 'enum',
      required: true,
      options: ['食品销售经营者', '餐饮服务经营者', '集中用餐单位食堂'],
      widget: 'select',
    },
    {
      name: 'operatingItems',
      label: '经营项目',
      type: 'string',
      required: true,
      maxLength: 300,
      widget: 'textarea',
    },
    // asked together: the place and its size are one question to the applicant
    {
      name: 'premisesAddress',
      label: '经营场所',
      type: 'string',
      required: true,
      maxLength: 200,
      page: 'premises',
    },
    {
      name: 'premisesArea',
      label: '经营场所面积（平方米）',
      type: 'number',
      required: true,
      page: 'premises',
    },
    { name: 'foodSafetyManager', label: '食品安全管理人员', type: 'string', required: true, maxLength: 50 },
  ],
  // the questions of the 新生儿出生一件事 items, grouped as a parent thinks of them (the pages of
  // the bundle's combined form too: a field several items ask has one page hint)
  出生医学证明办理: [
    {
      name: 'newbornName',
      label: '新生儿姓名',
      type: 'string',
      required: true,
      maxLength: 30,
      page: 'newborn',
    },
    {
      name: 'newbornSex',
      label: '新生儿性别',
      type: 'enum',
      required: true,
      options: ['男', '女'],
      widget: 'radio',
      page: 'newborn',
    },
    { name: 'birthDate', label: '出生日期', type: 'date', required: true, page: 'newborn' },
    {
      name: 'birthPlace',
      label: '出生地点（助产机构）',
      type: 'string',
      required: true,
      maxLength: 100,
      page: 'birth',
    },
    { name: 'fatherName', label: '父亲姓名', type: 'string', required: false, maxLength: 30, page: 'birth' },
  ],
  '户口登记（出生登记）': [
    {
      name: 'newbornName',
      label: '新生儿姓名',
      type: 'string',
      required: true,
      maxLength: 30,
      page: 'newborn',
    },
    { name: 'birthDate', label: '出生日期', type: 'date', required: true, page: 'newborn' },
    {
      name: 'registerWith',
      label: '随父或随母落户',
      type: 'enum',
      required: true,
      options: ['随父', '随母'],
      widget: 'radio',
      page: 'household',
    },
    {
      name: 'householdAddress',
      label: '落户地址',
      type: 'string',
      required: true,
      maxLength: 200,
      page: 'household',
    },
  ],
  城乡居民基本医疗保险参保登记: [
    {
      name: 'insuredName',
      label: '参保人姓名',
      type: 'string',
      required: true,
      maxLength: 30,
      page: 'insurance',
    },
    {
      name: 'insuredType',
      label: '参保人员类别',
      type: 'enum',
      required: true,
      options: ['新生儿', '学生儿童', '成年居民'],
      widget: 'select',
      page: 'insurance',
    },
  ],
  社会保障卡申领: [
    {
      name: 'cardholderName',
      label: '持卡人姓名',
      type: 'string',
      required: true,
      maxLength: 30,
      page: 'card',
    },
    {
      name: 'bank',
      label: '合作银行',
      type: 'enum',
      required: true,
      options: ['中国工商银行', '中国建设银行', '中国农业银行', '中国银行', '郑州银行'],
      widget: 'select',
      page: 'card',
    },
  ],
  公共租赁住房资格申请: [
    { name: 'householdSize', label: '家庭人口数', type: 'integer', required: true },
    { name: 'monthlyIncome', label: '家庭人均月收入（元）', type: 'number', required: true },
    {
      name: 'currentHousing',
      label: '现住房情况',
      type: 'enum',
      required: true,
      options: ['无房', '人均住房面积低于标准', '租住'],
      widget: 'select',
    },
    { name: 'workUnit', label: '工作单位', type: 'string', required: false, maxLength: 100 },
  ],
};

/** 情形 and extra conditions of the items the demo cases use. */
const ITEM_SITUATIONS: Record<string, { situations: Situation[]; conditions?: string[] }> = {
  食品经营许可证核发: {
    conditions: [
      '具有与经营的食品品种、数量相适应的食品原料处理和食品加工、销售、贮存等场所',
      '有专职或者兼职的食品安全管理人员和保证食品安全的规章制度',
    ],
    situations: [
      { code: '01', name: '新办', materials: [] },
      {
        code: '02',
        name: '变更许可事项',
        description: '经营场所以外的许可事项发生变化',
        materials: [
          {
            code: 's02-change',
            name: '食品经营许可变更申请书',
            form: 'either',
            necessity: 'required',
            source: 'applicant',
            originals: 1,
            copies: 0,
          },
          {
            code: 's02-licence',
            name: '食品经营许可证',
            form: 'either',
            necessity: 'required',
            source: 'government',
            licenceType: '食品经营许可证',
            originals: 1,
            copies: 0,
          },
        ],
        promisedLimit: { days: 5, unit: 'workingDay' },
      },
      {
        code: '03',
        name: '延续',
        description: '许可证有效期届满 30 个工作日前申请',
        materials: [
          {
            code: 's03-renew',
            name: '食品经营许可延续申请书',
            form: 'either',
            necessity: 'required',
            source: 'applicant',
            originals: 1,
            copies: 0,
          },
        ],
        promisedLimit: { days: 5, unit: 'workingDay' },
      },
    ],
  },
  个体工商户设立登记: {
    conditions: ['有经营能力的自然人', '经营范围不属于法律法规禁止的行业'],
    situations: [
      { code: '01', name: '个人经营', materials: [] },
      {
        code: '02',
        name: '家庭经营',
        materials: [
          {
            code: 's02-family',
            name: '家庭成员关系证明',
            form: 'either',
            necessity: 'required',
            source: 'government',
            licenceType: '居民户口簿',
            originals: 1,
            copies: 0,
          },
        ],
      },
    ],
  },
  出生医学证明办理: {
    conditions: [
      '在依法取得助产技术服务资质的医疗机构内出生的新生儿',
      '新生儿父母（或监护人）持有效身份证件申请',
    ],
    situations: [
      { code: '01', name: '首次签发', materials: [] },
      {
        code: '02',
        name: '补发',
        description: '出生医学证明遗失',
        materials: [
          {
            code: 's02-reissue',
            name: '出生医学证明补发申请表',
            form: 'either',
            necessity: 'required',
            source: 'applicant',
            originals: 1,
            copies: 0,
          },
          {
            code: 's02-record',
            name: '新生儿出生时的住院病历',
            form: 'paper',
            necessity: 'required',
            source: 'applicant',
            originals: 0,
            copies: 1,
          },
        ],
        promisedLimit: { days: 20, unit: 'workingDay' },
        statutoryLimit: { days: 30, unit: 'workingDay' },
      },
    ],
  },
  公共租赁住房资格申请: {
    conditions: [
      '申请人具有完全民事行为能力',
      '申请人及家庭成员在本市无自有住房或人均住房建筑面积低于规定标准',
      '家庭收入符合本市公布的公共租赁住房收入标准',
    ],
    situations: [
      { code: '01', name: '本市城镇户籍中等偏下收入住房困难家庭', materials: [] },
      {
        code: '02',
        name: '新就业无房职工',
        materials: [
          {
            code: 's02-contract',
            name: '劳动合同',
            form: 'paper',
            necessity: 'required',
            source: 'applicant',
            originals: 1,
            copies: 1,
          },
          {
            code: 's02-ssrec',
            name: '社会保险缴费记录',
            form: 'either',
            necessity: 'required',
            source: 'government',
            sharedData: '社会保险参保缴费信息（人社部门共享）',
            originals: 0,
            copies: 0,
          },
        ],
      },
      {
        code: '03',
        name: '在本市稳定就业的外来务工人员',
        materials: [
          {
            code: 's03-residence',
            name: '居住证',
            form: 'either',
            necessity: 'required',
            source: 'government',
            licenceType: '居住证',
            originals: 1,
            copies: 0,
          },
          {
            code: 's03-ssrec',
            name: '社会保险缴费记录',
            form: 'either',
            necessity: 'required',
            source: 'government',
            sharedData: '社会保险参保缴费信息（人社部门共享）',
            originals: 0,
            copies: 0,
          },
        ],
        promisedLimit: { days: 20, unit: 'workingDay' },
      },
    ],
  },
};

export interface Placement {
  department: CatalogDepartment;
  level: ExerciseLevel;
  region: CatalogRegion;
  hall: CatalogHall | undefined;
  /** 复议机关 / 诉讼法院 of the implementing body */
  reconsideration: string;
  litigation: string;
}

/** A complete guide from a demo spec, placed at one implementing body. */
export function assembleGuide(
  spec: DemoSpec,
  at: Placement,
  opts: { demo: boolean } = { demo: true },
): Guide {
  const basicCode = basicCodeOf(spec.type, spec.serial);
  const onApplication = ON_APPLICATION_TYPES.includes(spec.type);
  const depth: Depth = onApplication ? spec.depth : 1;
  const immediate = spec.promised === 0;
  const visits = depth === 4 ? 0 : depth === 3 ? 1 : depth === 2 ? 1 : immediate ? 1 : 2;
  const materials = spec.materials.map((k, i) => demoMaterial(k, i, basicCode));
  const extra = ITEM_SITUATIONS[spec.name];
  const resultName = spec.result ?? `${spec.name}结果文书`;
  const lic = spec.licenceType;
  const handlingForms: Guide['handlingForms'] = ['window'];
  if (depth >= 2) handlingForms.push('online');
  if (visits === 0 || depth >= 3) handlingForms.push('post');
  const applicantFields = spec.audiences[0] === 'organization' ? APPLICANT_ORG : APPLICANT_PERSON;
  const itemFields = ITEM_FIELDS[spec.name] ?? [
    {
      name: 'requestDetails',
      label: '申请事项说明',
      type: 'string',
      required: onApplication,
      maxLength: 1000,
      widget: 'textarea' as const,
      section: 'item' as const,
    },
  ];
  const basis = spec.basis ?? defaultBasis(spec.type);
  const lawName = basis.law;
  const govMaterials = materials.filter((m) => m.source === 'government').map((m) => m.name);
  const limitText = immediate
    ? '即办'
    : `${spec.promised}个${spec.unit === 'naturalDay' ? '自然日' : '工作日'}`;
  const g: GuideInput = {
    basicCode,
    variant: at.department.variant ?? '00',
    name: spec.name,
    type: spec.type,
    exerciseLevel: at.level,
    implementingBody: {
      departmentId: at.department.id,
      name: at.department.name,
      creditCode: at.department.creditCode,
      nature: 'statutory',
    },
    regionCode: at.region.code,
    jointBodies: [],
    powerSource: at.level === 'township' || at.level === 'village' ? 'delegated' : 'statutory',
    legalBasis: [
      {
        law: basis.law,
        article: basis.article,
        text: `依据${basis.law}${basis.article}的规定办理${spec.name}。`,
      },
      ...(spec.type === '01' ? [{ law: '《中华人民共和国行政许可法》', article: '第二十九条' }] : []),
    ],
    audiences: spec.audiences,
    realNameLevel: spec.realNameLevel ?? 2,
    conditions: extra?.conditions ?? [
      `申请人符合${lawName}规定的${spec.name}条件`,
      '申请材料齐全、真实、有效，符合法定形式',
    ],
    quantityLimit: spec.type === '01' ? '无数量限制' : undefined,
    handlingKind: immediate ? 'immediate' : 'promised',
    statutoryLimit: { days: spec.statutory, unit: spec.unit, note: `依据${lawName}` },
    promisedLimit: {
      days: spec.promised,
      unit: spec.unit,
      note: immediate ? '材料齐全、符合法定形式的当场办结' : '自受理之日起计算，补正、特别程序时间不计入',
    },
    handlingForms,
    steps: steps(spec.type, spec.promised, spec.unit, at.department.name),
    specialProcedures:
      spec.type === '01' && spec.statutory >= 20 && /许可证|许可$|核发/.test(spec.name)
        ? [
            {
              kind: 'inspection',
              name: '现场核查',
              limit: { days: 5, unit: 'workingDay' },
              basis: '《中华人民共和国行政许可法》第四十五条',
            },
          ]
        : [],
    materials,
    situations: extra?.situations ?? [],
    fees: spec.fee
      ? {
          charged: true,
          items: [spec.fee],
          onlinePayment: true,
          paymentMethods: ['online', 'window'],
          waiver: '符合减免条件的依规定减免',
        }
      : { charged: false, items: [], onlinePayment: false, paymentMethods: [] },
    results: [
      {
        kind: lic ? 'licence' : spec.type === '01' ? 'approval' : 'other',
        name: resultName,
        sample: `/items/samples/${basicCode}-result.pdf`,
        postalDelivery: visits === 0 || depth >= 3,
        eLicence: Boolean(lic),
        licenceType: lic,
      },
    ],
    halls: at.hall
      ? [
          {
            hallId: at.hall.id,
            name: at.hall.name,
            address: at.hall.address,
            hours: at.hall.hours,
            phone: at.hall.phone,
            windows: '综合受理窗口',
          },
        ]
      : [],
    appointment: {
      available: visits > 0,
      dailyQuota:
        visits > 0
          ? at.level === 'city'
            ? 60
            : at.level === 'county'
              ? 30
              : at.level === 'township'
                ? 15
                : 5
          : 0,
    },
    acceptanceScope: {
      citywide: depth >= 3 && spec.audiences.includes('person'),
      crossRegion:
        depth === 4
          ? ['fullyOnline']
          : depth === 3 && spec.audiences.includes('person')
            ? ['proxyAcceptance']
            : [],
    },
    online: {
      available: depth >= 2,
      depth,
      visits,
      singleSignOn: true,
    },
    faq: [
      {
        question: `办理${spec.name}需要多长时间？`,
        answer: `承诺办结时限为${limitText}（法定时限${spec.statutory}个${spec.unit === 'naturalDay' ? '自然日' : '工作日'}），需要补正材料或进行现场核查等特别程序的时间不计入办理时限。`,
      },
      ...(govMaterials.length
        ? [
            {
              question: '哪些材料可以不用提交纸质件？',
              answer: `${govMaterials.join('、')}可通过电子证照或部门共享数据调取，申请人授权后免于提交。`,
            },
          ]
        : []),
      {
        question: '可以委托他人代为办理吗？',
        answer: '可以。受托人应携带本人有效身份证件和授权委托书，网上办理的可由经办人登录后代为申请。',
      },
    ],
    consultation: [
      { kind: 'phone', value: '0371-12345（政务服务便民热线）' },
      { kind: 'web', value: '郑州政务服务网“我要咨询”栏目' },
      { kind: 'window', value: at.hall ? `${at.hall.name}咨询台` : `${at.department.name}办公室` },
    ],
    complaint: [
      { kind: 'phone', value: '12345' },
      { kind: 'web', value: '郑州政务服务网“好差评”及投诉栏目' },
    ],
    review: { reconsideration: at.reconsideration, litigation: at.litigation },
    themes: spec.themes,
    duties:
      spec.type === '20'
        ? []
        : [
            {
              content: '受理责任：公示依法应当提交的材料，一次性告知补正内容，依法受理或不予受理',
              basis: lawName,
              accountability: `对符合法定条件的申请不予受理，或未一次性告知需补正的全部内容的${ACCOUNTABLE}`,
            },
            {
              content: '审查责任：对申请材料进行审查，提出处理意见',
              basis: lawName,
              accountability: `审查中玩忽职守、滥用职权，或索取、收受他人财物的${ACCOUNTABLE}`,
            },
            {
              content: '决定责任：依法作出决定，不予许可或处罚的说明理由并告知救济途径',
              basis: lawName,
              accountability: `对不符合法定条件的申请作出准予决定、对符合法定条件的申请作出不予决定，或超过法定期限作出决定的${ACCOUNTABLE}`,
            },
            {
              content: '送达责任：制作并送达文书，信息公开',
              basis: lawName,
              accountability: `未依法送达文书或未依法公开办理结果的${ACCOUNTABLE}`,
            },
            {
              content: '事后监管责任：加强事中事后监管，依法查处违法行为',
              basis: lawName,
              accountability: `不依法履行监督职责或监督不力，造成严重后果的${ACCOUNTABLE}`,
            },
          ],
    negativeListRefs: spec.type === '01' && spec.audiences.includes('organization') ? ['许可准入类'] : [],
    form: {
      fields: [...applicantFields, ...itemFields, DELIVERY].map((f) => ({
        ...f,
        required: f.required ?? false,
        section: f.section ?? 'item',
      })),
    },
    demo: opts.demo,
  };
  // every default of the schema is filled above, so the input is already a Guide; the demo test
  // parses every generated guide with the schema (parsing here would triple the seed time)
  return g as Guide;
}

function placement(
  department: CatalogDepartment,
  level: ExerciseLevel,
  region: CatalogRegion,
  halls: readonly CatalogHall[],
  county: CatalogRegion | undefined,
): Placement {
  const hall = halls.find((h) => h.regionCode === region.code);
  if (level === 'city') {
    return {
      department,
      level,
      region,
      hall,
      reconsideration: '郑州市人民政府',
      litigation: '郑州铁路运输法院',
    };
  }
  const c = county ?? region;
  return {
    department,
    level,
    region,
    hall,
    reconsideration: `${c.name}人民政府`,
    litigation: `${c.name}人民法院`,
  };
}

const LEVEL_OF: Record<RegionLevel, ExerciseLevel> = {
  city: 'city',
  county: 'county',
  township: 'township',
  village: 'village',
};

export interface DemoInput {
  departments: readonly CatalogDepartment[];
  regions: readonly CatalogRegion[];
  halls: readonly CatalogHall[];
}

/** The demo catalogue: the city list and its county, township and village implementations. */
export function buildDemoGuides(
  input: DemoInput,
  specs: DemoSpec[] = parseDemoLines(),
): { guides: Guide[]; skipped: string[] } {
  const guides: Guide[] = [];
  const skipped: string[] = [];
  const city = input.regions.find((r) => r.level === 'city');
  if (!city) return { guides, skipped: ['no city region'] };
  // by the regions module's agency kind when departments carry one, else by the name's ending
  const deptIn = (regionCode: string, agency: string, suffix: string | undefined, county = false) => {
    const inRegion = input.departments.filter((d) => d.regionCode === regionCode);
    const cityKind = AGENCY_KIND[agency];
    // some city agencies have a differently organised counterpart in the counties
    const kind = county && cityKind ? (COUNTY_KIND_OF[cityKind] ?? cityKind) : cityKind;
    const byKind = kind ? inRegion.find((d) => d.kind === kind) : undefined;
    return (
      byKind ?? (suffix ? inRegion.find((d) => d.kind === undefined && d.name.endsWith(suffix)) : undefined)
    );
  };
  const cityDept = (agency: string) => deptIn(city.code, agency, agency);
  const counties = input.regions.filter((r) => r.level === 'county');
  const townships = input.regions.filter((r) => r.level === 'township');
  const villages = input.regions.filter((r) => r.level === 'village');
  const seen = new Set<string>();
  const add = (g: Guide) => {
    const code = implementationCodeOf(g);
    if (seen.has(code)) return;
    seen.add(code);
    guides.push(g);
  };
  for (const spec of specs) {
    if (!spec.levels.includes('x')) {
      const d = cityDept(spec.agency);
      if (d) add(assembleGuide(spec, placement(d, 'city', city, input.halls, undefined)));
      else skipped.push(`${spec.agency}: ${spec.name}`);
    }
    if (spec.levels.includes('c')) {
      const suffix = COUNTY_AGENCY_OF[spec.agency];
      for (const c of counties) {
        const d = deptIn(c.code, spec.agency, suffix, true);
        if (d) add(assembleGuide(spec, placement(d, 'county', c, input.halls, c)));
        else skipped.push(`${c.name}: ${spec.name}`);
      }
    }
    for (const [flag, list] of [
      ['t', townships],
      ['v', villages],
    ] as const) {
      if (!spec.levels.includes(flag)) continue;
      for (const r of list) {
        const d = input.departments.find(
          (x) => x.regionCode === r.code && (x.kind === undefined || x.kind === 'xzf'),
        );
        const county = input.regions.find((c) => c.code === r.code.slice(0, 6));
        if (d) add(assembleGuide(spec, placement(d, LEVEL_OF[r.level], r, input.halls, county)));
        else skipped.push(`${r.name}: ${spec.name}`);
      }
    }
  }
  return { guides, skipped };
}

/** The demo bundles (一件事), resolved against the city-level implementations. */
export function buildDemoBundles(guides: readonly Guide[], cityCode: string): Bundle[] {
  const defs: Array<{
    code: string;
    name: string;
    audience: Audience;
    description: string;
    members: string[];
    days: number;
  }> = [
    {
      code: 'BIRTH',
      name: '新生儿出生一件事',
      audience: 'person',
      description:
        '新生儿出生后，一次申请、一套材料，同时办理出生医学证明、出生登记（落户）、城乡居民医保参保登记和社会保障卡申领。',
      members: ['出生医学证明办理', '户口登记（出生登记）', '城乡居民基本医疗保险参保登记', '社会保障卡申领'],
      days: 5,
    },
    {
      code: 'BUSINESS-START',
      name: '企业开办一件事',
      audience: 'organization',
      description:
        '企业设立登记、公章刻制备案、发票领用、单位参加社会保险登记和住房公积金单位缴存登记一表申请、一窗受理，1 个工作日内办结。',
      members: ['企业设立登记', '公章刻制备案', '发票领用', '单位参加社会保险登记', '住房公积金单位缴存登记'],
      days: 1,
    },
  ];
  const out: Bundle[] = [];
  for (const d of defs) {
    const members = d.members
      .map((name) => guides.find((g) => g.name === name && g.regionCode === cityCode))
      .filter((g): g is Guide => g !== undefined);
    if (members.length < 2) continue;
    const byName = new Map<string, Material & { usedBy: string[] }>();
    for (const g of members) {
      const code = implementationCodeOf(g);
      for (const m of g.materials) {
        const cur = byName.get(m.name);
        if (cur) cur.usedBy.push(code);
        else
          byName.set(m.name, {
            ...m,
            code: `b${String(byName.size + 1).padStart(2, '0')}-${m.code.replace(/^m\d\d-/, '')}`.slice(
              0,
              40,
            ),
            usedBy: [code],
          });
      }
    }
    out.push({
      code: d.code,
      name: d.name,
      audience: d.audience,
      regionCode: cityCode,
      description: d.description,
      members: members.map((g) => ({ implementationCode: implementationCodeOf(g), name: g.name })),
      materials: [...byName.values()],
      promisedLimit: { days: d.days, unit: 'workingDay' },
      demo: true,
    });
  }
  return out;
}

// ── the Zhengzhou-scale corpus ─────────────────────────────────────────────────────────────

export const SCALE_POWER_ITEMS = 3498;
export const SCALE_SERVICE_ITEMS = 1816;

const OBJECTS = [
  '食品摊贩',
  '餐饮服务单位',
  '药品零售企业',
  '医疗器械经营企业',
  '特种设备',
  '计量器具',
  '网络交易平台',
  '农贸市场',
  '建筑施工企业',
  '房地产开发项目',
  '物业服务区域',
  '城市道路',
  '城市桥梁',
  '排水设施',
  '城市照明设施',
  '公园绿地',
  '古树名木',
  '户外广告设施',
  '建筑垃圾运输车辆',
  '燃气设施',
  '供热设施',
  '加油站',
  '危险化学品仓库',
  '烟花爆竹零售点',
  '非煤矿山',
  '尾矿库',
  '工贸企业',
  '道路客运站',
  '公交线路',
  '出租汽车',
  '网约车平台',
  '机动车维修企业',
  '驾驶员培训机构',
  '货运车辆',
  '内河船舶',
  '水库',
  '河道采砂',
  '取水工程',
  '地下水',
  '农田水利设施',
  '农作物种子',
  '农药',
  '化肥',
  '兽药',
  '动物诊疗机构',
  '畜禽养殖场',
  '屠宰企业',
  '渔业船舶',
  '林木种苗',
  '野生动物',
  '自然保护地',
  '建设用地',
  '耕地',
  '矿产资源',
  '测绘成果',
  '地质灾害防治',
  '不动产',
  '排污单位',
  '固体废物',
  '机动车排气',
  '噪声污染源',
  '辐射工作单位',
  '医疗机构',
  '公共场所',
  '生活饮用水',
  '学校卫生',
  '职业卫生',
  '托育机构',
  '养老机构',
  '殡葬设施',
  '社会组织',
  '慈善组织',
  '婚姻介绍机构',
  '民办学校',
  '校外培训机构',
  '幼儿园',
  '文物保护单位',
  '博物馆',
  '娱乐场所',
  '网吧',
  '演出场所',
  '旅行社',
  '星级饭店',
  '体育经营场所',
  '游泳场所',
  '出版物发行单位',
  '印刷企业',
  '广播电视设施',
  '人力资源服务机构',
  '劳务派遣单位',
  '职业培训机构',
  '用人单位工资支付',
  '社会保险基金',
  '医疗保障基金',
  '住房公积金',
  '政府采购项目',
  '招标投标活动',
  '统计调查对象',
  '价格行为',
  '单用途预付卡',
  '二手车交易市场',
  '报废机动车回收企业',
  '成品油经营企业',
  '粮食经营者',
  '人防工程',
  '防雷装置',
  '气象探测环境',
  '地震监测设施',
  '档案',
  '宗教活动场所',
  '无线电台站',
  '电动自行车',
  '消防设施',
  '电梯',
  '压力容器',
];
const VIOLATIONS = [
  '违反安全管理规定',
  '未按规定备案',
  '擅自改变用途',
  '未取得许可从事经营活动',
  '未按规定公示信息',
  '拒绝接受监督检查',
  '提供虚假材料',
  '超范围经营',
  '未建立管理台账',
  '未按规定开展自查',
  '未落实主体责任',
  '违反技术规范',
];
const POWER_TEMPLATES: Record<Exclude<ItemType, '20'>, ReadonlyArray<(o: string) => string>> = {
  '01': [
    (o) => `${o}经营许可`,
    (o) => `${o}设立审批`,
    (o) => `${o}许可证核发`,
    (o) => `${o}变更审批`,
    (o) => `${o}许可延续`,
    (o) => `${o}建设方案审批`,
    (o) => `${o}迁移拆除审批`,
  ],
  '02': VIOLATIONS.map((v) => (o: string) => `对${o}${v}的处罚`),
  '03': [(o) => `对${o}违法物品的查封扣押`, (o) => `对${o}的代履行`],
  '04': [(o) => `${o}相关费用征收`],
  '05': [(o) => `${o}从业人员补贴给付`, (o) => `${o}运营补助给付`],
  '06': [
    (o) => `对${o}的监督检查`,
    (o) => `对${o}的专项检查`,
    (o) => `对${o}的日常巡查`,
    (o) => `对${o}的随机抽查`,
  ],
  '07': [(o) => `${o}登记`, (o) => `${o}资格认定`, (o) => `${o}等级确认`],
  '08': [(o) => `${o}管理先进单位奖励`],
  '09': [(o) => `${o}权属纠纷裁决`],
  '10': [(o) => `${o}备案`, (o) => `${o}年度报告审核`, (o) => `${o}信息变更备案`],
};
const POWER_WEIGHTS: ReadonlyArray<[Exclude<ItemType, '20'>, number]> = [
  ['01', 0.22],
  ['02', 0.4],
  ['03', 0.05],
  ['04', 0.02],
  ['05', 0.04],
  ['06', 0.1],
  ['07', 0.08],
  ['08', 0.02],
  ['09', 0.01],
  ['10', 0.06],
];
const SERVICE_TEMPLATES: ReadonlyArray<(o: string) => string> = [
  '信息查询',
  '相关证明开具',
  '政策咨询服务',
  '投诉举报受理',
  '业务预约服务',
  '档案资料查阅',
  '信息公示查询',
  '电子证照下载',
  '办理进度查询',
  '业务培训报名',
  '信用修复申请',
  '数据统计查询',
  '满意度回访',
  '上门服务预约',
  '证书打印',
  '年度报告公示',
].map((s) => (o: string) => `${o}${s}`);
const THEME_POOL = [
  'permits',
  'safety',
  'environment',
  'construction',
  'qualifications',
  'trade',
  'transport-business',
  'hr',
  'tax',
];

/**
 * The Zhengzhou-scale corpus: 3,498 power items (types 01–10) and 1,816 public-service items (20)
 * at the city level, spread over the city agencies. Deterministic.
 */
export function* generateScaleGuides(input: DemoInput): Generator<Guide> {
  const city = input.regions.find((r) => r.level === 'city');
  if (!city) return;
  const agencies = input.departments.filter((d) => d.regionCode === city.code);
  if (agencies.length === 0) return;
  let serial = 5_000_000;
  const names = new Set<string>();
  let k = 0;
  // names are unique by construction (templates × objects cover each type's quota); a repeat
  // would only come from a changed pool, and gets a numbered sub-item rather than a duplicate
  const nextName = (make: (i: number) => string) => {
    let name = make(k++);
    for (let v = 2; names.has(name); v++) name = `${name.replace(/（子项\d+）$/, '')}（子项${v}）`;
    names.add(name);
    return name;
  };
  const emit = (type: ItemType, name: string, i: number): Guide => {
    const dept = agencies[i % agencies.length]!;
    const promised =
      type === '01'
        ? 5 + (i % 4) * 5
        : ['02', '03', '06'].includes(type)
          ? 0
          : i % 3 === 0
            ? 0
            : 5 + (i % 3) * 5;
    const statutory = Math.max(promised, type === '01' ? 20 : promised === 0 ? 0 : 30);
    const depth = (ON_APPLICATION_TYPES.includes(type) ? [1, 2, 3, 4, 4, 3][i % 6] : 1) as Depth;
    const person = type === '20' || type === '05' ? i % 2 === 0 : false;
    const spec: DemoSpec = {
      agency: dept.name,
      name,
      type,
      promised,
      statutory,
      depth,
      themes: [THEME_POOL[i % THEME_POOL.length]!],
      audiences: person ? ['person'] : ['organization'],
      materials: ON_APPLICATION_TYPES.includes(type)
        ? [`${name.replace(/（.*）$/, '')}申请表`, person ? '@id' : '@biz', '相关证明材料']
        : [],
      levels: '',
      result: type === '01' ? `${name.replace(/（.*）$/, '')}决定书` : undefined,
      unit: 'workingDay',
      serial: serial++,
    };
    return assembleGuide(spec, placement(dept, 'city', city, input.halls, undefined), { demo: true });
  };
  // power items: types in proportion, objects cycling through the pool
  const quota = POWER_WEIGHTS.map(
    ([t, w]) => [t, Math.floor(w * SCALE_POWER_ITEMS)] as [Exclude<ItemType, '20'>, number],
  );
  const short = SCALE_POWER_ITEMS - quota.reduce((n, [, c]) => n + c, 0);
  quota[0]![1] += short;
  let i = 0;
  for (const [type, n] of quota) {
    const templates = POWER_TEMPLATES[type];
    k = 0;
    for (let j = 0; j < n; j++, i++) {
      const name = nextName((x) =>
        templates[x % templates.length]!(OBJECTS[Math.floor(x / templates.length) % OBJECTS.length]!),
      );
      yield emit(type, name, i);
    }
  }
  k = 0;
  for (let j = 0; j < SCALE_SERVICE_ITEMS; j++, i++) {
    const name = nextName((x) =>
      SERVICE_TEMPLATES[x % SERVICE_TEMPLATES.length]!(
        OBJECTS[Math.floor(x / SERVICE_TEMPLATES.length) % OBJECTS.length]!,
      ),
    );
    yield emit('20', name, i);
  }
}
