/**
 * Adapters from the neighbouring modules' public faces to the cases ports. They take the other
 * modules' APIs structurally (only the methods used), so this file imports no other module.
 */
import { isValidIdNumber } from '../../platform/codes/index.js';
import type { Executor } from '../../platform/db/index.js';
import type {
  ApplicableItem,
  BundleDefinition,
  CalendarPort,
  CatalogPort,
  FormFieldHint,
  Hall,
  IdentityPort,
  LicencesPort,
  RegionsPort,
  UsableLicence,
} from './cases.ports.js';
import type { DayRule } from './cases.sla.js';

/** The platform calendar's per-region rule (answers from memory; a calendar change applies at once). */
export function calendarPort(calendar: {
  dayRule(regionCode: string): DayRule;
  readonly version?: string;
  reload?(within?: Executor): Promise<void>;
}): CalendarPort {
  return {
    rule: async (regionCode) => calendar.dayRule(regionCode),
    // versions are UUIDv7, ordered by time: unless the loaded one is this or a later change, the
    // calendar is re-read, through the consumer's transaction (SQLite has one connection)
    async atVersion(version, within) {
      const loaded = calendar.version ?? '';
      if (UUID_V7.test(loaded) && loaded >= version) return;
      await calendar.reload?.(within);
    },
  };
}
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7/;

interface RegionsApiLike {
  departmentById(
    id: string,
  ): Promise<{ id: string; kind: string; name: string; regionCode: string; creditCode: string } | undefined>;
  implementingBody(
    req: { exerciseLevel: 'city' | 'county' | 'township' | 'village'; departmentKind?: string },
    applicantRegionCode: string,
  ): Promise<{ id: string; regionCode: string; creditCode: string }>;
  hallsNear(regionCode: string): Promise<Array<{ id: string; code: string; regionCode: string }>>;
  departments?(regionCode: string): Promise<Array<{ id: string; name: string; regionCode: string }>>;
  children?(regionCode: string): Promise<Array<{ code: string; level: string }>>;
}

const LEVELS = new Set(['city', 'county', 'township', 'village']);

/**
 * Routing through the regions module: the body of the item's department kind at the item's 行使层级
 * for the applicant's region. The routed body's 实施编码 is its credit code + the item's basic
 * code and variant (实施编码 = 统一社会信用代码 + 基本编码 + variant).
 */
export function regionsPort(regions: RegionsApiLike): RegionsPort {
  return {
    async decidingBody(item, applicantRegionCode) {
      if (!LEVELS.has(item.exerciseLevel)) {
        return {
          departmentId: item.departmentId,
          regionCode: item.regionCode,
          implementationCode: item.implementationCode,
        };
      }
      const dept = await regions.departmentById(item.departmentId);
      try {
        const body = await regions.implementingBody(
          {
            exerciseLevel: item.exerciseLevel as 'city' | 'county' | 'township' | 'village',
            ...(dept ? { departmentKind: dept.kind } : {}),
          },
          applicantRegionCode,
        );
        const implementationCode =
          body.id === item.departmentId
            ? item.implementationCode
            : `${body.creditCode}${item.implementationCode.slice(18)}`;
        return { departmentId: body.id, regionCode: body.regionCode, implementationCode };
      } catch {
        return undefined;
      }
    },
    async department(id) {
      const d = await regions.departmentById(id);
      return d ? { id: d.id, regionCode: d.regionCode, name: d.name } : undefined;
    },
    async departments(prefix) {
      if (!regions.departments) return [];
      // a prefix as its division code (4101 → 410100); a city's list takes in its counties'
      const code = prefix.length === 2 || prefix.length === 4 ? prefix.padEnd(6, '0') : prefix;
      const out = [...(await regions.departments(code))];
      if (code.length === 6 && code.endsWith('00') && regions.children)
        for (const c of await regions.children(code))
          if (c.level === 'county') out.push(...(await regions.departments(c.code)));
      return out.map((d) => ({ id: d.id, name: d.name, regionCode: d.regionCode }));
    },
    async hall(id): Promise<Hall | undefined> {
      // hall codes are 'H' + region code; ids are looked up among the halls of that region
      const regionCode = id.startsWith('H') ? id.slice(1) : '';
      if (!/^\d{6,12}$/.test(regionCode)) return undefined;
      const halls = await regions.hallsNear(regionCode);
      const h = halls.find((x) => x.id === id || x.code === id);
      return h
        ? { id: h.code, regionCode: h.regionCode, cityCode: `${h.regionCode.slice(0, 4)}00` }
        : undefined;
    },
  };
}

// ── the catalogue ──────────────────────────────────────────────────────────────────────────────

interface CatalogItemLike {
  implementationCode: string;
  version: number;
  name: string;
  type: string;
  departmentId: string;
  regionCode: string;
  exerciseLevel: string;
  handlingKind: 'immediate' | 'promised';
  promisedLimit: { days: number };
  statutoryLimit: { days: number };
  depth: number;
  steps: ReadonlyArray<{ name: string }>;
  materials: ReadonlyArray<{
    code: string;
    name: string;
    necessity: string;
    requiredWhen?: string | undefined;
    source?: string | undefined;
    licenceType?: string | undefined;
    sharedData?: string | undefined;
  }>;
  results: ReadonlyArray<{ eLicence: boolean; licenceType?: string | undefined }>;
  acceptanceScope: { citywide: boolean; crossRegion: readonly string[] };
  form: { schema: Record<string, unknown> };
  guide: {
    audiences: ReadonlyArray<'person' | 'organization'>;
    /** absent in a catalogue that does not declare it: then L2, the default for applications */
    realNameLevel?: 1 | 2 | 3 | undefined;
    form: {
      fields: ReadonlyArray<{
        name: string;
        label: string;
        type: FormFieldHint['type'];
        required: boolean;
        options?: readonly string[] | undefined;
        hint?: string | undefined;
        prefill?: string | undefined;
        section?: string | undefined;
        widget?: string | undefined;
        page?: string | undefined;
      }>;
    };
  };
}

interface CatalogApiLike {
  getPublishedItem(implementationCode: string): Promise<CatalogItemLike | undefined>;
  listPublishedForIndex(
    cursor: string,
    limit: number,
  ): Promise<{ items: Array<{ implementationCode: string }>; nextCursor: string | null }>;
  getBundle(code: string): Promise<
    | {
        code: string;
        name: string;
        regionCode: string;
        members: ReadonlyArray<{ implementationCode: string; name: string }>;
      }
    | undefined
  >;
}

/**
 * The catalogue's published item as the cases module needs it. 容缺受理 and 告知承诺制 have no
 * field in the guide yet: both are allowed (the clerk chooses; the workflow still demands the
 * missing list or the commitments).
 */
export function catalogPort(catalog: CatalogApiLike): CatalogPort {
  return {
    async applicableItem(code): Promise<ApplicableItem | undefined> {
      const it = await catalog.getPublishedItem(code);
      if (!it) return undefined;
      const licence = it.results.find((r) => r.eLicence && r.licenceType);
      return {
        implementationCode: it.implementationCode,
        version: it.version,
        name: it.name,
        itemType: it.type,
        handlingKind: it.handlingKind,
        promisedDays: it.promisedLimit.days,
        statutoryDays: it.statutoryLimit.days,
        exerciseLevel: it.exerciseLevel as ApplicableItem['exerciseLevel'],
        depth: it.depth,
        departmentId: it.departmentId,
        regionCode: it.regionCode,
        audiences: it.guide.audiences,
        realNameLevel: it.guide.realNameLevel ?? 2,
        citywide: it.acceptanceScope.citywide,
        proxyAcceptance: it.acceptanceScope.crossRegion.includes('proxyAcceptance'),
        allowsDeficiency: true,
        allowsCommitment: true,
        steps: it.steps.map((s) => s.name),
        formSchema: it.form.schema,
        formFields: it.guide.form.fields.map((f) => ({ ...f })),
        materials: it.materials.map((m) => ({
          code: m.code,
          name: m.name,
          required: m.necessity === 'required',
          source: m.source === 'government' ? 'government' : 'applicant',
          licenceType: m.licenceType,
          requiredWhen: m.requiredWhen,
          sharedData: m.sharedData,
        })),
        resultLicenceType: licence?.licenceType,
      };
    },
    async listCodes(cursor, limit) {
      const r = await catalog.listPublishedForIndex(cursor, limit);
      return { codes: r.items.map((i) => i.implementationCode), nextCursor: r.nextCursor };
    },
    async bundle(code): Promise<BundleDefinition | undefined> {
      const b = await catalog.getBundle(code);
      return b
        ? { code: b.code, name: b.name, regionCode: b.regionCode, members: b.members.map((m) => ({ ...m })) }
        : undefined;
    },
  };
}

/** Prefill from the account: the applicant's own name and region (never stored in the catalogue). */
export function identityPort(identity: PersonalDataLike): IdentityPort {
  return {
    async prefill(accountId) {
      const d = await identity.personalData(accountId);
      if (!d) return {};
      // by prefill kind (FormField.prefill); the page puts each into the fields that ask for it
      const out: Record<string, string> = { applicantName: d.name };
      if (d.regionCode) out.regionCode = d.regionCode;
      if (d.mobile) out.mobile = d.mobile;
      if (d.idNumber) out.idNumber = d.idNumber;
      if (d.creditCode) out.creditCode = d.creditCode;
      return out;
    },
    contacts: (accountIds, within) => identity.contactsOf(accountIds, within),
    async applicant(ref) {
      const id = isValidIdNumber(ref) ? await identity.accountIdByIdNumber(ref) : ref;
      const d = id ? await identity.personalData(id) : undefined;
      // staff and machine clients are not applicants
      if (!id || (d?.kind !== 'person' && d?.kind !== 'organization')) return undefined;
      return { accountId: id, kind: d.kind, realNameLevel: d.realNameLevel };
    },
    // 帮办代办: absent in identity, absent here (the cases module then refuses, fail closed)
    ...(identity.delegationFor
      ? { delegationFor: identity.delegationFor.bind(identity) as IdentityPort['delegationFor'] }
      : {}),
    ...(identity.delegatorsOf
      ? { delegatorsOf: identity.delegatorsOf.bind(identity) as IdentityPort['delegatorsOf'] }
      : {}),
  };
}

// ── e-licences ─────────────────────────────────────────────────────────────────────────────────

interface LicencesApiLike {
  materialFromLicence(
    identifier: string,
    accountId: string,
  ): Promise<{ licenceIdentifier: string; typeName: string }>;
  listTypes(): Promise<ReadonlyArray<{ code: string; name: string }>>;
  typeByName(name: string): Promise<{ code: string; name: string } | undefined>;
  recordUse(
    input: {
      identifier: string;
      accountId: string;
      caseNumber: string;
      departmentId: string | null;
      userName: string | null;
      purpose: string;
    },
    trx?: Executor,
  ): Promise<{ useId: string }>;
  usableMaterials(
    accountId: string,
    typeCodes: readonly string[],
  ): Promise<
    ReadonlyArray<{
      licenceIdentifier: string;
      typeName: string;
      licenceNumber: string;
      issuerName: string;
      validTo: string | null;
    }>
  >;
  issueLicence(
    input: {
      typeCode: string;
      issuerCode: string;
      /** registers the issuer on its first licence */
      issuerName?: string;
      holder: { name: string; idType: '111' | '001'; idNumber: string };
      fields?: Record<string, string>;
      validFrom: string;
      regionCode?: string;
      caseNumber?: string;
    },
    trx?: Executor,
  ): Promise<{ identifier: string }>;
}

interface PersonalDataLike {
  accountIdByIdNumber(idNumber: string): Promise<string | undefined>;
  delegationFor?: IdentityPort['delegationFor'];
  delegatorsOf?: IdentityPort['delegatorsOf'];
  contactsOf(
    accountIds: readonly string[],
    within?: Executor,
  ): Promise<Map<string, { mobile: string | null }>>;
  personalData(
    accountId: string,
    within?: Executor,
  ): Promise<
    | {
        kind: string;
        name: string;
        idNumber: string | null;
        creditCode: string | null;
        regionCode: string | null;
        mobile: string | null;
        realNameLevel: number;
      }
    | undefined
  >;
}

/**
 * The licences module for cases: 免提交 (a material an e-licence supplies is checked to be the
 * applicant's and in force) and 出证 (an approved item whose result is an e-licence gets one,
 * issued by the deciding department, best effort: a failure leaves the result to be issued by
 * hand and is logged).
 */
export function licencesPort(
  licences: LicencesApiLike,
  identity: PersonalDataLike,
  regions: { departmentById(id: string): Promise<{ creditCode: string; name: string } | undefined> },
  log: { warn(obj: object, msg: string): void },
): LicencesPort {
  return {
    async verifyForCase({ holderAccountId, identifier }) {
      try {
        await licences.materialFromLicence(identifier, holderAccountId);
        return true;
      } catch {
        return false;
      }
    },
    async usableFor({ holderAccountId, licenceTypes }) {
      const types = (await licences.listTypes()).filter((x) => licenceTypes.includes(x.name));
      const out: Record<string, UsableLicence[]> = {};
      if (types.length === 0) return out;
      for (const l of await licences.usableMaterials(
        holderAccountId,
        types.map((x) => x.code),
      )) {
        const list = out[l.typeName] ?? [];
        list.push({
          identifier: l.licenceIdentifier,
          typeName: l.typeName,
          licenceNumber: l.licenceNumber,
          issuerName: l.issuerName,
          validTo: l.validTo,
        });
        out[l.typeName] = list;
      }
      return out;
    },
    async prepareUse({ holderAccountId, departmentId }) {
      const dept = await regions.departmentById(departmentId);
      return async (trx, use) => {
        await licences.recordUse(
          {
            identifier: use.identifier,
            accountId: holderAccountId,
            caseNumber: use.caseNumber,
            departmentId,
            userName: dept?.name ?? null,
            purpose: `免提交：${use.materialName}`,
          },
          trx,
        );
      };
    },
    async prepareIssue({ caseNumber, licenceType, holderAccountId, regionCode, departmentId, today }) {
      const type = await licences.typeByName(licenceType);
      // no such type: neither the department nor the holder's personal data is read (or unsealed)
      const dept = type ? await regions.departmentById(departmentId) : undefined;
      const who = type && dept ? await identity.personalData(holderAccountId) : undefined;
      // a licence names its holder by ID number: a person's only once verified (L2+), never a
      // number merely claimed at registration, or lost since to the account that verified it
      const idNumber =
        who?.kind === 'organization' ? who.creditCode : (who?.realNameLevel ?? 0) >= 2 ? who?.idNumber : null;
      if (!type || !dept || !who || !idNumber) {
        log.warn({ caseNumber, licenceType }, 'no e-licence can be issued for this result');
        return undefined;
      }
      return async (trx) =>
        (
          await licences.issueLicence(
            {
              typeCode: type.code,
              issuerCode: dept.creditCode,
              // the deciding department becomes a registered issuer on its first licence
              issuerName: dept.name,
              holder: { name: who.name, idType: who.kind === 'organization' ? '001' : '111', idNumber },
              validFrom: today,
              regionCode,
              caseNumber,
            },
            trx,
          )
        ).identifier;
    },
  };
}
