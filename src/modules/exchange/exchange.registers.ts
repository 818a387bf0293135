import { pick, seededRandom } from '../../kernel/index.js';
import { generateCreditCode, generateIdNumber } from '../../platform/codes/index.js';
import { type Executor, runPrecompiled } from '../../platform/db/index.js';
import type { PersonalDataCipher } from '../../platform/privacy/index.js';
import { type ExchangeTables, xdb } from './exchange.store.js';
import type { ExchangeLicencesPort } from './exchange.ports.js';
import type { KeyKind, RegisterName, RegisterRecord } from './exchange.types.js';

/**
 * The base registers (基础库) as tables: 人口库, 法人库 and the social-insurance register. ID numbers
 * and addresses are sealed at rest (AES-256-GCM) and found by their keyed hash, the same keyed hash
 * identity uses, so a signed-in person's reads can be listed without decrypting anything.
 */

export type PopulationRow = ExchangeTables['exchange_population'];
export type LegalPersonRow = ExchangeTables['exchange_legal_persons'];
export type SocialInsuranceRow = ExchangeTables['exchange_social_insurance'];

/** The key a register is read by, normalised (ID numbers and credit codes upper case, no spaces). */
export const normaliseKey = (key: string) => key.replace(/\s/g, '').toUpperCase();

/** The keyed hash of a subject: what the access log and the event hold instead of the key. */
export const subjectHash = (cipher: PersonalDataCipher, kind: KeyKind, key: string) =>
  cipher.lookupHash(kind, normaliseKey(key));

/**
 * A subject's record in a register. With `fields`, sealed values no field asks for stay sealed
 * (a lookup opens only what it answers); `hash` is the key's keyed hash when the caller has it.
 */
export async function readRecord(
  db: Executor,
  cipher: PersonalDataCipher,
  register: RegisterName,
  key: string,
  opts: {
    hash?: string | undefined;
    fields?: readonly string[] | undefined;
    licences?: ExchangeLicencesPort | undefined;
  } = {},
): Promise<RegisterRecord | undefined> {
  const k = normaliseKey(key);
  const wants = (f: string) => !opts.fields || opts.fields.includes(f);
  if (register === 'licences') {
    if (!opts.licences) return undefined;
    const all = await opts.licences.directoryOf({ kind: 'creditCode', key: k }, db);
    if (!all.length) return undefined;
    const valid = all.filter((l) => l.status === 'valid');
    const biz = valid.find((l) => l.typeName === '营业执照') ?? all.find((l) => l.typeName === '营业执照');
    return {
      creditCode: k,
      licenceCount: valid.length,
      validLicenceTypes: [...new Set(valid.map((l) => l.typeName))].join('、'),
      businessLicence: biz?.identifier ?? null,
      businessLicenceNumber: biz?.licenceNumber ?? null,
      businessLicenceStatus: biz?.status ?? null,
      businessLicenceIssuedOn: biz?.issueDate ?? null,
      businessLicenceValidTo: biz?.validTo ?? null,
      businessLicenceIssuer: biz?.issuerName ?? null,
    };
  }
  if (register === 'legalPersons') {
    const r = (
      await runPrecompiled(
        db,
        xdb,
        'exchange.legalPerson',
        (q, slot) => q.selectFrom('exchange_legal_persons').selectAll().where('credit_code', '=', slot(0)),
        [k],
      )
    ).rows[0];
    if (!r) return undefined;
    return {
      creditCode: r.credit_code,
      name: r.name,
      type: r.type,
      legalRepresentative: r.legal_rep_name,
      legalRepresentativeIdNumber: wants('legalRepresentativeIdNumber')
        ? cipher.decrypt(r.legal_rep_id_sealed)
        : null,
      registeredCapital: Number(r.registered_capital_fen),
      address: r.address,
      status: r.status,
      establishedOn: r.established_on,
      division: r.region_code,
    };
  }
  const hash = opts.hash ?? cipher.lookupHash('idNumber', k);
  if (register === 'population') {
    const r = (
      await runPrecompiled(
        db,
        xdb,
        'exchange.person',
        (q, slot) => q.selectFrom('exchange_population').selectAll().where('id_hash', '=', slot(0)),
        [hash],
      )
    ).rows[0];
    if (!r) return undefined;
    return {
      // the row was found by the key's keyed hash: its sealed ID number is the key
      idNumber: k,
      name: r.name,
      gender: r.gender,
      birthDate: r.birth_date,
      division: r.region_code,
      address: wants('address') ? cipher.decrypt(r.address_sealed) : null,
      householdType: r.household_type,
      relationToHead: r.relation_to_head,
      maritalStatus: r.marital_status,
      deathDate: r.death_date,
    };
  }
  const r = (
    await runPrecompiled(
      db,
      xdb,
      'exchange.insured',
      (q, slot) => q.selectFrom('exchange_social_insurance').selectAll().where('id_hash', '=', slot(0)),
      [hash],
    )
  ).rows[0];
  if (!r) return undefined;
  return {
    idNumber: k,
    name: r.name,
    insuranceTypes: r.insurance_types,
    employer: r.employer,
    status: r.status,
    firstInsuredOn: r.first_insured_on,
    monthsPaid: Number(r.months_paid),
  };
}

export interface PersonFacts {
  readonly idNumber: string;
  readonly name: string;
  readonly gender: '男' | '女';
  readonly birthDate: string;
  readonly regionCode: string;
  readonly address: string;
  readonly householdType: string;
  readonly relationToHead: string;
  readonly maritalStatus: string;
  readonly deathDate: string | null;
}

export const populationRow = (
  cipher: PersonalDataCipher,
  p: PersonFacts,
  demo: boolean,
  now: string,
): PopulationRow => ({
  id_hash: cipher.lookupHash('idNumber', normaliseKey(p.idNumber)),
  id_sealed: cipher.encrypt(normaliseKey(p.idNumber)),
  name: p.name,
  gender: p.gender,
  birth_date: p.birthDate,
  region_code: p.regionCode,
  address_sealed: cipher.encrypt(p.address),
  household_type: p.householdType,
  relation_to_head: p.relationToHead,
  marital_status: p.maritalStatus,
  death_date: p.deathDate,
  demo: demo ? 1 : 0,
  updated_at: now,
});

export interface CompanyFacts {
  readonly creditCode: string;
  readonly name: string;
  readonly type: string;
  readonly legalRepresentative: { readonly name: string; readonly idNumber: string };
  readonly registeredCapitalFen: number;
  readonly address: string;
  readonly status: string;
  readonly establishedOn: string;
  readonly regionCode: string;
}

export const legalPersonRow = (
  cipher: PersonalDataCipher,
  c: CompanyFacts,
  demo: boolean,
  now: string,
): LegalPersonRow => ({
  credit_code: normaliseKey(c.creditCode),
  name: c.name,
  type: c.type,
  legal_rep_name: c.legalRepresentative.name,
  legal_rep_id_hash: cipher.lookupHash('idNumber', normaliseKey(c.legalRepresentative.idNumber)),
  legal_rep_id_sealed: cipher.encrypt(normaliseKey(c.legalRepresentative.idNumber)),
  registered_capital_fen: c.registeredCapitalFen,
  address: c.address,
  status: c.status,
  established_on: c.establishedOn,
  region_code: c.regionCode,
  demo: demo ? 1 : 0,
  updated_at: now,
});

/** Rows in chunks small enough for SQLite's bound-variable limit (13 columns × 500). */
export async function insertRows<T extends keyof ExchangeTables>(
  db: Executor,
  table: T,
  rows: readonly ExchangeTables[T][],
  chunk = 500,
  skipExisting = false,
): Promise<void> {
  for (let i = 0; i < rows.length; i += chunk) {
    // biome-ignore lint/suspicious/noExplicitAny: one insert for the three register tables
    const q = (xdb(db) as any).insertInto(table).values(rows.slice(i, i + chunk));
    await (skipExisting ? q.onConflict((oc: { doNothing(): unknown }) => oc.doNothing()) : q).execute();
  }
}

// ── generated city: synthetic, valid, reproducible ───────────────────────────────────────────

/** Zhengzhou's districts, county-level cities and county (GB/T 2260), with a street for addresses. */
export const ZHENGZHOU_COUNTIES: ReadonlyArray<{ code: string; name: string; street: string }> = [
  { code: '410102', name: '中原区', street: '建设路' },
  { code: '410103', name: '二七区', street: '大学路' },
  { code: '410104', name: '管城回族区', street: '紫荆山路' },
  { code: '410105', name: '金水区', street: '经八路' },
  { code: '410106', name: '上街区', street: '济源路' },
  { code: '410108', name: '惠济区', street: '天河路' },
  { code: '410122', name: '中牟县', street: '青年路' },
  { code: '410181', name: '巩义市', street: '杜甫路' },
  { code: '410182', name: '荥阳市', street: '索河路' },
  { code: '410183', name: '新密市', street: '青屏大街' },
  { code: '410184', name: '新郑市', street: '人民路' },
  { code: '410185', name: '登封市', street: '少林大道' },
];

const SURNAMES =
  '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文';
const GIVEN =
  '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国志强海波晨浩宇思琪雨欣子涵梓萱佳怡俊杰博文';
// as character lists once (a pick from a spread string allocated the list on every call)
const SURNAME_CHARS = [...SURNAMES];
const GIVEN_CHARS = [...GIVEN];
const MARITAL = ['未婚', '已婚', '已婚', '已婚', '离婚', '丧偶'] as const;
const RELATION = ['户主', '配偶', '子', '女', '父母'] as const;
const DAY_MS = 86_400_000;
const FIRST_BIRTH = Date.UTC(1935, 0, 1);
const BIRTH_DAYS = 30_000; // 1935 … 2017
/** the birth dates as text, made on first use (ten million people share 30,000 dates) */
const birthDates: string[] = [];
const birthDateOf = (day: number) =>
  (birthDates[day] ??= new Date(FIRST_BIRTH + day * DAY_MS).toISOString().slice(0, 10));

/** The i-th generated person's county, birth date, sex and ID number (the key, without the rest). */
export function generatedIdentity(i: number) {
  const county = ZHENGZHOU_COUNTIES[i % ZHENGZHOU_COUNTIES.length]!;
  const rest = Math.floor(i / ZHENGZHOU_COUNTIES.length);
  const day = rest % BIRTH_DAYS;
  const seq = 100 + Math.floor(rest / BIRTH_DAYS);
  const birthDate = birthDateOf(day);
  const sex: 'male' | 'female' = seq % 2 === 1 ? 'male' : 'female';
  const idNumber = generateIdNumber({ regionCode: county.code, birthDate, sex, sequence: seq });
  return { county, birthDate, sex, idNumber };
}

/**
 * The i-th generated person (0 ≤ i < 12 × 30,000 × 1,000): a bijection from i to (county, birth
 * date, sequence), so ten million people get ten million distinct, GB 11643-valid ID numbers.
 */
export function generatedPerson(i: number): PersonFacts {
  const r = seededRandom(i * 2654435761);
  const { county, birthDate, sex, idNumber } = generatedIdentity(i);
  const given = pick(r, GIVEN_CHARS) + (r() < 0.7 ? pick(r, GIVEN_CHARS) : '');
  const age = 2026 - Number(birthDate.slice(0, 4));
  return {
    idNumber,
    name: pick(r, SURNAME_CHARS) + given,
    gender: sex === 'male' ? '男' : '女',
    birthDate,
    regionCode: county.code,
    address: `河南省郑州市${county.name}${county.street}${1 + Math.floor(r() * 300)}号${1 + Math.floor(r() * 20)}号楼${1 + Math.floor(r() * 30)}0${1 + Math.floor(r() * 4)}室`,
    householdType: r() < 0.9 ? '家庭户' : '集体户',
    relationToHead: pick(r, RELATION),
    maritalStatus: age < 22 ? '未婚' : pick(r, MARITAL),
    deathDate: age > 80 && r() < 0.1 ? '2025-11-02' : null,
  };
}

const EMPLOYEE_INSURANCE = [
  '职工基本养老保险、职工基本医疗保险、失业保险、工伤保险',
  '职工基本养老保险、职工基本医疗保险、失业保险、工伤保险、生育保险',
  '职工基本养老保险、职工基本医疗保险',
] as const;
const RESIDENT_INSURANCE = '城乡居民基本养老保险、城乡居民基本医疗保险';
const RESIDENT_MEDICAL = '城乡居民基本医疗保险';

/**
 * The i-th generated person's social-insurance record, or null when they have none: most
 * children in the residents' medical insurance, most adults in the employees' or the residents'
 * schemes, most people over 60 drawing a pension; nobody after their death. Its own generator,
 * so the person's facts stay what they were.
 */
export function generatedInsurance(
  i: number,
  p: PersonFacts,
): Omit<SocialInsuranceRow, 'id_hash' | 'demo' | 'updated_at'> | null {
  if (p.deathDate) return null;
  const born = Number(p.birthDate.slice(0, 4));
  const age = 2026 - born;
  const r = seededRandom(i * 2246822519 + 13);
  const stage = age < 18 ? 'child' : age < 60 ? 'working' : 'retired';
  if (r() >= (stage === 'child' ? 0.6 : stage === 'working' ? 0.8 : 0.7)) return null;
  const resident = stage === 'child' || r() < 0.3;
  const first = stage === 'child' ? born + Math.floor(r() * (age + 1)) : born + 18 + Math.floor(r() * 15);
  const until = stage === 'retired' ? born + 60 : 2026;
  return {
    name: p.name,
    insurance_types:
      stage === 'child' ? RESIDENT_MEDICAL : resident ? RESIDENT_INSURANCE : pick(r, EMPLOYEE_INSURANCE),
    employer: resident ? '' : `郑州${pick(r, COMPANY_WORDS)}${pick(r, TRADES)}有限公司`,
    status: stage === 'retired' ? '领取养老待遇' : r() < 0.9 ? '正常参保' : '暂停缴费',
    first_insured_on: `${Math.min(first, 2026)}-07-01`,
    months_paid: Math.max(1, Math.floor(Math.max(0, until - first) * 12 * (0.6 + 0.4 * r()))),
    region_code: p.regionCode,
  };
}

const COMPANY_WORDS = ['华豫', '中原', '嵩山', '黄河', '商都', '绿城', '郑东', '豫通', '金穗', '启航'];
const TRADES = ['科技', '商贸', '餐饮管理', '物流', '建筑工程', '文化传媒', '农业开发', '医药'];
const COMPANY_TYPES = ['有限责任公司', '有限责任公司（自然人独资）', '股份有限公司', '个人独资企业'] as const;

/** The i-th generated company: credit code by region and serial (GB 32100- and GB 11714-valid). */
export function generatedCompany(i: number): CompanyFacts {
  const r = seededRandom(i * 40503 + 7);
  const county = ZHENGZHOU_COUNTIES[i % ZHENGZHOU_COUNTIES.length]!;
  const serial = 10_000_000 + Math.floor(i / ZHENGZHOU_COUNTIES.length);
  const rep = generatedPerson(i * 7 + 3);
  const type = pick(r, COMPANY_TYPES);
  return {
    creditCode: generateCreditCode({ regionCode: county.code, serial, authority: '9', category: '1' }),
    name: `郑州${pick(r, COMPANY_WORDS)}${pick(r, TRADES)}${type.startsWith('个人') ? '中心' : '有限公司'}${i}`,
    type,
    legalRepresentative: { name: rep.name, idNumber: rep.idNumber },
    registeredCapitalFen: (1 + Math.floor(r() * 500)) * 1_000_000,
    address: `河南省郑州市${county.name}${county.street}${1 + Math.floor(r() * 300)}号`,
    status: r() < 0.92 ? '存续' : '注销',
    establishedOn: new Date(Date.UTC(2000, 0, 1) + Math.floor(r() * 9000) * DAY_MS)
      .toISOString()
      .slice(0, 10),
    regionCode: county.code,
  };
}

/** 法人库 entries in the shape organisation verification asks for (identity's LegalPersonRegister port). */
export interface LegalPersonEntry {
  readonly creditCode: string;
  readonly name: string;
  readonly legalRepresentative: { readonly name: string; readonly idNumber: string };
  readonly status: 'active' | 'revoked' | 'deregistered';
  readonly demo?: boolean;
}

const STATUS: Readonly<Record<string, LegalPersonEntry['status']>> = {
  存续: 'active',
  吊销: 'revoked',
  注销: 'deregistered',
};
export const registerStatus = (s: 'active' | 'revoked' | 'deregistered') =>
  s === 'active' ? '存续' : s === 'revoked' ? '吊销' : '注销';

const toEntry = (cipher: PersonalDataCipher, r: LegalPersonRow): LegalPersonEntry => ({
  creditCode: r.credit_code,
  name: r.name,
  legalRepresentative: { name: r.legal_rep_name, idNumber: cipher.decrypt(r.legal_rep_id_sealed) },
  status: STATUS[r.status] ?? 'revoked',
  demo: Number(r.demo) === 1,
});

export async function legalPersonByCode(
  db: Executor,
  cipher: PersonalDataCipher,
  creditCode: string,
): Promise<LegalPersonEntry | undefined> {
  const r = await xdb(db)
    .selectFrom('exchange_legal_persons')
    .selectAll()
    .where('credit_code', '=', normaliseKey(creditCode))
    .executeTakeFirst();
  return r ? toEntry(cipher, r) : undefined;
}

export async function legalPersonsRepresentedBy(
  db: Executor,
  cipher: PersonalDataCipher,
  idNumber: string,
): Promise<LegalPersonEntry[]> {
  const rows = await xdb(db)
    .selectFrom('exchange_legal_persons')
    .selectAll()
    .where('legal_rep_id_hash', '=', cipher.lookupHash('idNumber', normaliseKey(idNumber)))
    .limit(100)
    .execute();
  return rows.map((r) => toEntry(cipher, r));
}
