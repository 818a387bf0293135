import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ConfigError } from '../../config/index.js';
import { chinaDate } from '../../kernel/index.js';
import { parseIdNumber } from '../../platform/codes/index.js';
import {
  type BulkColumn,
  type BulkTable,
  type Executor,
  type Store,
  getMeta,
  inTransaction,
  openBulkLoad,
  setMeta,
} from '../../platform/db/index.js';
import { publishResource } from './exchange.catalogue.js';
import type { ExchangeContext } from './exchange.context.js';
import { addConsumer, decideRequest, requestResource } from './exchange.grants.js';
import {
  type PersonFacts,
  generatedCompany,
  generatedPerson,
  insertRows,
  legalPersonRow,
  populationRow,
  registerStatus,
} from './exchange.registers.js';
import type { SeedResult, SeedTask, SeedWorkerData } from './exchange.seed.worker.js';
import type { DataItem, ResourceInput } from './exchange.types.js';

/** The demo catalogue's resource codes (信息资源代码: 类-区划-提供方-库-序号). */
export const DEMO_RESOURCES = {
  population: '1-410100-GA-RK-0001',
  marriage: '1-410100-MZ-HY-0001',
  legalPersons: '1-410100-SJ-FR-0001',
  socialInsurance: '3-410100-RS-SB-0001',
  biometrics: '1-410100-GA-RK-0009',
  businessLicence: '2-410100-SJ-ZZ-0001',
} as const;

const item = (
  name: string,
  label: string,
  type: DataItem['type'],
  sensitivity: DataItem['sensitivity'],
  mask: DataItem['mask'],
): DataItem => ({ name, label, type, sensitivity, mask });

/** The demo catalogue: the base registers' resources, of each share type. */
export function demoCatalogue(providers: {
  gaj: string;
  mzj: string;
  scjgj: string;
  rsj: string;
}): ResourceInput[] {
  const common = { regionCode: '410100', demo: true, openType: 'notOpen' as const };
  return [
    {
      ...common,
      code: DEMO_RESOURCES.population,
      name: '人口基本信息',
      classification: 'basic',
      category: '1/01/001/0001',
      providerDepartmentId: providers.gaj,
      summary: '人口库中的公民身份号码、姓名、性别、出生日期、户籍地址等基本信息。',
      register: 'population',
      items: [
        item('idNumber', '公民身份号码', 'code', 'sensitive', 'idNumber'),
        item('name', '姓名', 'string', 'sensitive', 'name'),
        item('gender', '性别', 'code', 'internal', 'none'),
        item('birthDate', '出生日期', 'date', 'internal', 'date'),
        item('division', '户籍地行政区划', 'code', 'internal', 'none'),
        item('address', '户籍地址', 'string', 'sensitive', 'address'),
        item('householdType', '户别', 'code', 'internal', 'none'),
        item('relationToHead', '与户主关系', 'code', 'internal', 'none'),
      ],
      shareType: 'unconditional',
      legalBasis: '《政务数据共享条例》第十二条（基础库无条件共享）',
      methods: ['api', 'bulk'],
      updateCycle: 'realtime',
    },
    {
      ...common,
      code: DEMO_RESOURCES.marriage,
      name: '婚姻登记与生死状态信息',
      classification: 'theme',
      category: '2/03/002/0001',
      providerDepartmentId: providers.mzj,
      summary: '婚姻状况与死亡登记信息，用于婚育、社会救助、养老待遇资格核验。',
      register: 'population',
      items: [
        item('idNumber', '公民身份号码', 'code', 'sensitive', 'idNumber'),
        item('name', '姓名', 'string', 'sensitive', 'name'),
        item('maritalStatus', '婚姻状况', 'code', 'sensitive', 'hidden'),
        item('deathDate', '死亡日期', 'date', 'sensitive', 'hidden'),
      ],
      shareType: 'conditional',
      shareCondition: '仅限办理婚育、社会救助、养老待遇等法定事项时核验使用',
      legalBasis: '《婚姻登记条例》；《社会救助暂行办法》',
      methods: ['api'],
      updateCycle: 'daily',
    },
    {
      ...common,
      code: DEMO_RESOURCES.legalPersons,
      name: '法人基本信息',
      classification: 'basic',
      category: '1/02/001/0001',
      providerDepartmentId: providers.scjgj,
      summary: '法人库中的统一社会信用代码、名称、类型、法定代表人、注册资本、住所和登记状态。',
      register: 'legalPersons',
      items: [
        item('creditCode', '统一社会信用代码', 'code', 'public', 'none'),
        item('name', '名称', 'string', 'public', 'none'),
        item('type', '类型', 'code', 'public', 'none'),
        item('legalRepresentative', '法定代表人', 'string', 'internal', 'name'),
        item('legalRepresentativeIdNumber', '法定代表人身份号码', 'code', 'sensitive', 'idNumber'),
        item('registeredCapital', '注册资本（分）', 'money', 'public', 'none'),
        item('address', '住所', 'string', 'public', 'none'),
        item('status', '登记状态', 'code', 'public', 'none'),
        item('establishedOn', '成立日期', 'date', 'public', 'none'),
        item('division', '登记机关区划', 'code', 'public', 'none'),
      ],
      shareType: 'unconditional',
      legalBasis: '《政务数据共享条例》第十二条（基础库无条件共享）',
      methods: ['api', 'bulk'],
      updateCycle: 'realtime',
    },
    {
      // the e-licence directory (电子证照目录) as a register: read from the licences module
      ...common,
      code: DEMO_RESOURCES.businessLicence,
      name: '电子营业执照',
      classification: 'theme',
      category: '2/02/003/0001',
      providerDepartmentId: providers.scjgj,
      summary: '电子证照目录中市场主体持有的营业执照（标识、编号、状态、签发与有效期）及其他有效证照类型。',
      register: 'licences',
      items: [
        item('creditCode', '统一社会信用代码', 'code', 'public', 'none'),
        item('businessLicence', '营业执照证照标识', 'code', 'public', 'none'),
        item('businessLicenceNumber', '营业执照编号', 'code', 'public', 'none'),
        item('businessLicenceStatus', '营业执照状态', 'code', 'public', 'none'),
        item('businessLicenceIssuedOn', '签发日期', 'date', 'public', 'none'),
        item('businessLicenceValidTo', '有效期至', 'date', 'public', 'none'),
        item('businessLicenceIssuer', '发证机关', 'string', 'public', 'none'),
        item('validLicenceTypes', '持有的有效证照类型', 'string', 'public', 'none'),
        item('licenceCount', '有效证照数', 'integer', 'public', 'none'),
      ],
      shareType: 'unconditional',
      legalBasis: '《国务院关于加快推进全国一体化在线政务服务平台建设的指导意见》（电子证照共享互认）',
      methods: ['api', 'bulk'],
      updateCycle: 'realtime',
    },
    {
      ...common,
      code: DEMO_RESOURCES.socialInsurance,
      name: '社会保险参保缴费信息',
      classification: 'department',
      category: '3/05/001/0002',
      providerDepartmentId: providers.rsj,
      summary: '参保险种、参保单位、参保状态、首次参保日期和累计缴费月数。',
      register: 'socialInsurance',
      items: [
        item('idNumber', '公民身份号码', 'code', 'sensitive', 'idNumber'),
        item('name', '姓名', 'string', 'sensitive', 'name'),
        item('insuranceTypes', '参保险种', 'string', 'internal', 'none'),
        item('employer', '参保单位', 'string', 'internal', 'none'),
        item('status', '参保状态', 'code', 'internal', 'none'),
        item('firstInsuredOn', '首次参保日期', 'date', 'internal', 'date'),
        item('monthsPaid', '累计缴费月数', 'integer', 'internal', 'none'),
      ],
      shareType: 'conditional',
      shareCondition: '用于就业、社保待遇、人才引进等事项的资格核验',
      legalBasis: '《中华人民共和国社会保险法》',
      methods: ['api'],
      updateCycle: 'monthly',
    },
    {
      ...common,
      code: DEMO_RESOURCES.biometrics,
      name: '人口生物识别信息',
      classification: 'basic',
      category: '1/01/001/0009',
      providerDepartmentId: providers.gaj,
      summary: '人像、指纹等生物识别信息，不予共享。',
      register: 'population',
      items: [item('idNumber', '公民身份号码', 'code', 'sensitive', 'idNumber')],
      shareType: 'none',
      legalBasis: '《中华人民共和国个人信息保护法》第二十八条、《中华人民共和国居民身份证法》第六条',
      methods: ['api'],
      updateCycle: 'realtime',
    },
  ];
}

const DEMO_ADDRESS = '河南省郑州市金水区经八路街道纬五路21号院3号楼2单元501室';
const DEMO_EMPLOYER = '郑州通办示范科技有限公司';

/** A demo person's register facts from their ID number (birth date, sex and division come from it). */
export function demoPersonFacts(p: { name: string; idNumber: string }, i: number): PersonFacts {
  const parsed = parseIdNumber(p.idNumber);
  return {
    idNumber: p.idNumber,
    name: p.name,
    gender: parsed?.sex === 'female' ? '女' : '男',
    birthDate: parsed?.birthDate ?? '1990-01-01',
    regionCode: p.idNumber.slice(0, 6),
    address: DEMO_ADDRESS.replace('501', String(501 + i)),
    householdType: '家庭户',
    relationToHead: i === 0 ? '户主' : '配偶',
    maritalStatus: '已婚',
    deathDate: null,
  };
}

/** How many generated people and companies the default demo adds beside the named ones. */
export const DEMO_GENERATED = { people: 200, companies: 50 } as const;

/**
 * The demo: the catalogue, the registers (the demo people and companies, then a few hundred
 * generated ones, all marked demo), two consumer departments — 民政局 with a grant on the
 * population register, 住房保障和房地产管理局 without one — and the 市场监督管理局 (which decides
 * the demo items) with one, for cases.
 */
export async function seedDemo(ctx: ExchangeContext): Promise<void> {
  const by = async (kind: string) => (await ctx.ports.regions.departmentByKind('410100', kind))?.id;
  const [gaj, mzj, scjgj, rsj, fgj] = await Promise.all(['gaj', 'mzj', 'scjgj', 'rsj', 'fgj'].map(by));
  if (!gaj || !mzj || !scjgj || !rsj || !fgj) return;
  for (const r of demoCatalogue({ gaj, mzj, scjgj, rsj })) await publishResource(ctx, null, r);

  const now = ctx.clock.now().toISOString();
  const people = ctx.ports.demo?.people() ?? [];
  const companies = ctx.ports.demo?.companies() ?? [];
  await inTransaction(ctx.db, async (trx) => {
    const pop = people.map((p, i) => populationRow(ctx.cipher, demoPersonFacts(p, i), true, now));
    for (let i = 0; i < DEMO_GENERATED.people; i++)
      pop.push(populationRow(ctx.cipher, generatedPerson(i), true, now));
    await insertRows(trx, 'exchange_population', pop);
    const lp = companies.map((c, i) =>
      legalPersonRow(
        ctx.cipher,
        {
          creditCode: c.creditCode,
          name: c.name,
          type: '有限责任公司',
          legalRepresentative: c.legalRepresentative,
          registeredCapitalFen: 100_000_000 * (i + 1),
          address: `河南省郑州市金水区经八路${10 + i}号`,
          status: registerStatus(c.status),
          establishedOn: '2026-01-05',
          regionCode: c.creditCode.slice(2, 8),
        },
        true,
        now,
      ),
    );
    for (let i = 0; i < DEMO_GENERATED.companies; i++)
      lp.push(legalPersonRow(ctx.cipher, generatedCompany(i), true, now));
    await insertRows(trx, 'exchange_legal_persons', lp);
    await insertRows(
      trx,
      'exchange_social_insurance',
      people.map((p, i) => ({
        id_hash: ctx.cipher.lookupHash('idNumber', p.idNumber),
        name: p.name,
        insurance_types: '职工基本养老保险、职工基本医疗保险、失业保险、工伤保险',
        employer: DEMO_EMPLOYER,
        status: '正常参保',
        first_insured_on: `201${i}-07-01`,
        months_paid: 96 - i * 12,
        region_code: '410105',
        demo: 1,
        updated_at: now,
      })),
    );
  });

  // consumer departments: each a registered client (its secret is not kept: `tongban exchange
  // consumer add` gives a department new credentials); grants are held by the department
  const today = chinaDate(now);
  const period = { from: today, to: `${Number(today.slice(0, 4)) + 1}${today.slice(4)}` };
  for (const [dept, name] of [
    [mzj, '社会救助核对系统'],
    [fgj, '住房保障审核系统'],
    [scjgj, '市场主体登记系统'],
  ] as const)
    await addConsumer(ctx, { departmentId: dept, name });
  const seedProvider = {
    accountId: 'system:seed',
    kind: 'staff' as const,
    login: 'seed',
    displayName: 'seed',
    realNameLevel: 0 as const,
    grants: [{ role: 'seed', permissions: ['exchange.manage'], regionPrefix: '', departmentId: null }],
    via: 'bearer' as const,
  };
  const system = {
    accountId: 'system:seed',
    kind: 'staff' as const,
    login: 'seed',
    displayName: 'seed',
    realNameLevel: 0 as const,
    grants: [],
    via: 'bearer' as const,
  };
  await requestResource(
    ctx,
    system,
    {
      resource: DEMO_RESOURCES.population,
      fields: ['idNumber', 'name', 'gender', 'birthDate', 'division', 'householdType'],
      clearFields: ['gender', 'division'],
      purpose: '最低生活保障申请家庭经济状况核对',
      legalBasis: '《社会救助暂行办法》第十一条',
      period,
      volume: 2000,
    },
    { departmentId: mzj },
  );
  // name and address in clear: the apply forms of its items are prefilled from them (the applicant
  // confirms them; issue 12 item 7), so the 公安局 decides the request (sensitive items in clear)
  const scjgjPopulation = await requestResource(
    ctx,
    system,
    {
      resource: DEMO_RESOURCES.population,
      fields: [
        'idNumber',
        'name',
        'gender',
        'birthDate',
        'division',
        'address',
        'householdType',
        'relationToHead',
      ],
      clearFields: ['name', 'address'],
      purpose: '办理市场主体登记及许可事项时核验申请人身份与户籍信息，并预填申请表',
      legalBasis: '《中华人民共和国市场主体登记管理条例》第十五条',
      period,
      volume: 5000,
    },
    { departmentId: scjgj },
  );
  if (scjgjPopulation.status === 'pending')
    await decideRequest(ctx, seedProvider, scjgjPopulation.id, { decision: 'grant' });
  await requestResource(
    ctx,
    system,
    {
      resource: DEMO_RESOURCES.legalPersons,
      fields: [
        'creditCode',
        'name',
        'type',
        'legalRepresentative',
        'registeredCapital',
        'address',
        'status',
        'establishedOn',
      ],
      clearFields: ['legalRepresentative'],
      purpose: '办理许可事项时核验市场主体登记信息（免交营业执照），并预填申请表',
      legalBasis: '《优化营商环境条例》第三十五条',
      period,
      volume: 5000,
    },
    { departmentId: scjgj },
  );
  // 营业执照 at submission from the e-licence directory, for the items the 市场监管 decides
  await requestResource(
    ctx,
    system,
    {
      resource: DEMO_RESOURCES.businessLicence,
      fields: [
        'creditCode',
        'businessLicence',
        'businessLicenceNumber',
        'businessLicenceStatus',
        'businessLicenceIssuedOn',
        'businessLicenceValidTo',
        'businessLicenceIssuer',
      ],
      purpose: '办理市场主体变更及许可事项时调取营业执照（免交营业执照）',
      legalBasis: '《优化营商环境条例》第三十五条',
      period,
      volume: 5000,
    },
    { departmentId: scjgj },
  );
  // the 公安局 reads the 户口 facts of the people applying for its 户口 items (免交户口簿)
  await requestResource(
    ctx,
    system,
    {
      resource: DEMO_RESOURCES.population,
      fields: ['name', 'gender', 'birthDate', 'division', 'address', 'householdType', 'relationToHead'],
      purpose: '办理户口登记和迁移事项时核验申请人户籍信息（免交户口簿）',
      legalBasis: '《中华人民共和国户口登记条例》',
      period,
      volume: 5000,
    },
    { departmentId: gaj },
  );
  // 婚姻 facts at submission instead of a 结婚证 (有条件, granted by the 民政局): the 公安局's 户口
  // items and the 住房公积金管理中心's loan read the applicant's marital status
  for (const kind of ['gaj', 'gjj']) {
    const dept = (await ctx.ports.regions.departmentByKind('410100', kind))?.id;
    if (!dept) continue;
    const asked = await requestResource(
      ctx,
      system,
      {
        resource: DEMO_RESOURCES.marriage,
        fields: ['name', 'maritalStatus'],
        clearFields: ['maritalStatus'],
        purpose: '办理户口和住房公积金贷款事项时核验申请人婚姻状况（免交结婚证）',
        legalBasis: '《婚姻登记条例》；《住房公积金管理条例》第二十六条',
        period,
        volume: 2000,
      },
      { departmentId: dept },
    );
    await decideRequest(ctx, seedProvider, asked.id, { decision: 'grant' });
  }
  // the city's and 金水区's 人力资源和社会保障局 decide 失业保险金申领 and read the 社会保险缴费记录
  // at submission instead of asking for it (有条件: granted by the provider)
  for (const region of ['410100', '410105']) {
    const dept = (await ctx.ports.regions.departmentByKind(region, 'rsj'))?.id;
    if (!dept) continue;
    const asked = await requestResource(
      ctx,
      system,
      {
        resource: DEMO_RESOURCES.socialInsurance,
        fields: ['name', 'insuranceTypes', 'employer', 'status', 'firstInsuredOn', 'monthsPaid'],
        clearFields: ['insuranceTypes', 'employer', 'status', 'firstInsuredOn', 'monthsPaid'],
        purpose: '办理社会保险待遇和就业补贴事项时核验参保缴费情况（免交缴费记录）',
        legalBasis: '《中华人民共和国社会保险法》；《失业保险条例》第十六条',
        period,
        volume: 2000,
      },
      { departmentId: dept },
    );
    await decideRequest(ctx, seedProvider, asked.id, { decision: 'grant' });
  }
}

/** `tongban seed --scale zhengzhou`: Zhengzhou's registered population (≈ 10 million) and legal persons. */
export const ZHENGZHOU_SCALE = { people: 10_000_000, companies: 1_500_000 } as const;

type Progress = (label: string, total: number) => { tick(n?: number): void; done(): void };

const text = (name: string): BulkColumn => ({ name, type: 'text' });
const int = (name: string): BulkColumn => ({ name, type: 'integer' });
/** The register tables as the bulk loader writes them (the workers' rows are in this order). */
export const REGISTER_TABLES = {
  population: {
    name: 'exchange_population',
    columns: [
      text('id_hash'),
      text('id_sealed'),
      text('name'),
      text('gender'),
      text('birth_date'),
      text('region_code'),
      text('address_sealed'),
      text('household_type'),
      text('relation_to_head'),
      text('marital_status'),
      text('death_date'),
      int('demo'),
      text('updated_at'),
    ],
  },
  insurance: {
    name: 'exchange_social_insurance',
    columns: [
      text('id_hash'),
      text('name'),
      text('insurance_types'),
      text('employer'),
      text('status'),
      text('first_insured_on'),
      int('months_paid'),
      text('region_code'),
      int('demo'),
      text('updated_at'),
    ],
  },
  legalPersons: {
    name: 'exchange_legal_persons',
    columns: [
      text('credit_code'),
      text('name'),
      text('type'),
      text('legal_rep_name'),
      text('legal_rep_id_hash'),
      text('legal_rep_id_sealed'),
      { name: 'registered_capital_fen', type: 'bigint' },
      text('address'),
      text('status'),
      text('established_on'),
      text('region_code'),
      int('demo'),
      text('updated_at'),
    ],
  },
} as const satisfies Record<string, BulkTable>;

/** platform_meta key of the city-scale seed: `{"state":"loading"|"done",…}` */
export const SCALE_SEED_META = 'exchange.scale-seed';
/** the 法人库's index on the representative's hash: made after the load, not row by row */
const REP_INDEX = 'exchange_legal_persons_rep';
/** the people's sort keys hold the local index in 24 bits */
const MAX_PEOPLE = 2 ** 24;

interface ScaleSeedState {
  readonly state: 'loading' | 'done';
  readonly startedAt: string;
  readonly people: number;
  readonly companies: number;
  readonly insured?: number;
  readonly finishedAt?: string;
}

export async function scaleSeedState(db: Executor): Promise<ScaleSeedState | undefined> {
  const v = await getMeta(db, SCALE_SEED_META);
  return v ? (JSON.parse(v) as ScaleSeedState) : undefined;
}

/**
 * A node refuses to start on a store whose city-scale seed did not finish (a crash, a kill, a
 * power loss mid-load): its registers are partial and, after a power loss, possibly torn. One
 * line (ConfigError: exit 78) saying what to run.
 */
export async function assertScaleSeedFinished(db: Executor): Promise<void> {
  const s = await scaleSeedState(db);
  if (s?.state === 'loading')
    throw new ConfigError(
      'store',
      `the city-scale registers seed started at ${s.startedAt} did not finish (the process stopped mid-load); run \`npx tongban seed --scale zhengzhou\` again to complete it before starting`,
    );
}

/**
 * `tongban seed --scale`: streams generated people (with their social-insurance records) and
 * companies into the registers, demo-marked, with progress. Generated rows start after the demo's
 * (the same generator), and a row whose key is taken is skipped, so a re-run completes an
 * interrupted seed and a finished one is not repeated. How it is fast (ADR 0027):
 *
 * - the CPU (names, ID numbers with their check digits, keyed hashes, AES-GCM sealing with the
 *   IVs drawn per batch) runs in worker threads, one per core; this thread only writes;
 * - people are written in the order of their keyed hash, the registers' primary key: phase 1
 *   hashes every ID number and sorts, phase 2 generates in that order, so each insert appends
 *   to the key's B-tree instead of dirtying a random page of it (which, at ten million rows,
 *   wrote a page per row);
 * - the bulk loader (platform/db/bulk.ts): prepared multi-row statements in large transactions,
 *   SQLite at synchronous=OFF until a durable checkpoint at the end, PostgreSQL by unnest; the
 *   法人库's secondary index is dropped before and made after the load.
 *
 * A marker (platform_meta, committed durably before the load and replaced after the final
 * checkpoint) tells a starting node whether the load finished: see assertScaleSeedFinished.
 */
export async function seedRegisters(
  ctx: ExchangeContext,
  opts: {
    store: Store;
    secret: Buffer;
    people: number;
    companies: number;
    progress: Progress;
    batch?: number;
    workers?: number;
  },
): Promise<{ people: number; companies: number; insured: number; skipped: boolean }> {
  const { people, companies } = opts;
  if (!Number.isInteger(people) || people < 0 || people > MAX_PEOPLE)
    throw new Error(`people must be a whole number up to ${MAX_PEOPLE}`);
  if (!Number.isInteger(companies) || companies < 0 || companies > 99_000_000)
    throw new Error('companies must be a whole number up to 99,000,000');
  const before = await scaleSeedState(ctx.db);
  if (before?.state === 'done' && before.people >= people && before.companies >= companies)
    return { people: 0, companies: 0, insured: 0, skipped: true };
  const batch = opts.batch ?? 20_000;
  const now = ctx.clock.now().toISOString();
  const started: ScaleSeedState = { state: 'loading', startedAt: now, people, companies };
  await setMeta(ctx.db, SCALE_SEED_META, JSON.stringify(started), now);

  const hashes = new SharedArrayBuffer(people * 32);
  const keys = new SharedArrayBuffer(people * 8);
  const n = Math.max(1, Math.min(opts.workers ?? availableParallelism(), 8));
  const workers = Array.from(
    { length: n },
    () =>
      new Worker(new URL('./exchange.seed.worker.mjs', import.meta.url), {
        workerData: {
          secret: new Uint8Array(opts.secret),
          hashes,
          keys,
          firstPerson: DEMO_GENERATED.people,
          firstCompany: DEMO_GENERATED.companies,
          now,
        } satisfies SeedWorkerData,
      }),
  );
  const bulk = openBulkLoad(opts.store);
  let insured = 0;
  try {
    await bulk.exec(`drop index if exists ${REP_INDEX}`);
    const ranges = (total: number) => {
      const out: Array<[number, number]> = [];
      for (let a = 0; a < total; a += batch) out.push([a, Math.min(total, a + batch)]);
      return out;
    };
    if (people > 0) {
      let bar = opts.progress('人口库 keyed hashes', people);
      await runInOrder(
        workers,
        ranges(people).map(([from, to], id) => ({ type: 'hash', id, from, to }) as const),
        async (r) => bar.tick(r.rows),
      );
      bar.done();
      const sorted = new Float64Array(keys).sort();
      const order = new Int32Array(people);
      for (let j = 0; j < people; j++) order[j] = (sorted[j] as number) % MAX_PEOPLE;
      bar = opts.progress('人口库', people);
      await runInOrder(
        workers,
        ranges(people).map(([a, b], id) => ({ type: 'people', id, order: order.slice(a, b) }) as const),
        async (r) => {
          await bulk.insert(REGISTER_TABLES.population, r.population ?? []);
          await bulk.insert(REGISTER_TABLES.insurance, r.insurance ?? []);
          insured += (r.insurance?.length ?? 0) / REGISTER_TABLES.insurance.columns.length;
          bar.tick(r.rows);
        },
      );
      bar.done();
    }
    if (companies > 0) {
      const bar = opts.progress('法人库', companies);
      await runInOrder(
        workers,
        ranges(companies).map(([from, to], id) => ({ type: 'companies', id, from, to }) as const),
        async (r) => {
          await bulk.insert(REGISTER_TABLES.legalPersons, r.legalPersons ?? []);
          bar.tick(r.rows);
        },
      );
      bar.done();
    }
    await bulk.exec(`create index if not exists ${REP_INDEX} on exchange_legal_persons (legal_rep_id_hash)`);
    await bulk.finish();
  } catch (e) {
    await bulk.close();
    throw e;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  const finishedAt = ctx.clock.now().toISOString();
  const done: ScaleSeedState = { ...started, state: 'done', insured, finishedAt };
  await setMeta(ctx.db, SCALE_SEED_META, JSON.stringify(done), finishedAt);
  return { people, companies, insured, skipped: false };
}

/**
 * Runs the tasks on the workers (at most two waiting on each) and hands the results to `use` in
 * the tasks' order, one at a time: the rows are written in the order they were asked for, and no
 * more than a few batches wait in memory whatever the size.
 */
async function runInOrder(
  workers: readonly Worker[],
  tasks: readonly SeedTask[],
  use: (r: SeedResult) => Promise<void>,
): Promise<void> {
  if (!tasks.length) return;
  const limit = 3 * workers.length; // handed out and not yet written
  await new Promise<void>((resolve, reject) => {
    const ready = new Map<number, SeedResult>();
    const waiting = new Map<Worker, number>(workers.map((w) => [w, 0]));
    let next = 0;
    let written = 0;
    let using = false;
    let over = false;
    const end = (e?: unknown) => {
      if (over) return;
      over = true;
      for (const w of workers)
        w.removeAllListeners('message').removeAllListeners('error').removeAllListeners('exit');
      if (e === undefined) resolve();
      else reject(e);
    };
    const hand = () => {
      for (const w of workers)
        while (next < tasks.length && next - written < limit && (waiting.get(w) ?? 0) < 2) {
          waiting.set(w, (waiting.get(w) ?? 0) + 1);
          w.postMessage(tasks[next++]);
        }
    };
    const drain = async () => {
      if (using) return;
      using = true;
      try {
        for (let r = ready.get(written); !over && r; r = ready.get(written)) {
          ready.delete(written);
          await use(r);
          written++;
          hand();
        }
      } catch (e) {
        end(e);
      } finally {
        using = false;
      }
      if (written === tasks.length) end();
    };
    for (const w of workers) {
      w.on('message', (r: SeedResult) => {
        waiting.set(w, (waiting.get(w) ?? 1) - 1);
        ready.set(r.id, r);
        hand();
        void drain();
      });
      w.on('error', end);
      // a worker that stops without an error (its thread ended) would leave its tasks unanswered
      w.on('exit', (code) => end(new Error(`a seed worker stopped (exit ${code}) before the seed finished`)));
    }
    hand();
  });
}
