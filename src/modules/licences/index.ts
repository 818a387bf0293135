import type { ModuleDefinition, PlatformDeps } from '../../platform/module.js';
import { DEMO_HOLDERS, DEMO_ISSUERS, DEMO_TYPES, demoType } from './licences.catalog.js';
import './licences.errors.js';
import { importLicences } from './licences.import.js';
import { licencesMessages } from './licences.messages.js';
import { licencesRoutes } from './licences.routes.js';
import { createLicencesService } from './licences.service.js';
import { licencesMigrations } from './licences.store.js';
import type { HolderIdType } from './licences.types.js';

export type {
  IssueLicenceInput,
  LicenceMaterial,
  LicenceSummary,
  RecordUseInput,
  SignatureView,
  TrustLevel,
  VerificationResult,
} from './licences.types.js';
export type { LicencesService } from './licences.service.js';
export { formatIdentifier, parseIdentifier, mod3736 } from './licences.identifier.js';
export { DEMO_HOLDERS, DEMO_TYPES } from './licences.catalog.js';

/** What this module needs of the identity module (its `api` satisfies it). */
export interface LicencesIdentityPort {
  personalData(accountId: string): Promise<
    | {
        kind: string;
        idNumber: string | null;
        creditCode: string | null;
        realNameLevel: number;
      }
    | undefined
  >;
}

export interface LicencesModuleOptions {
  /**
   * Links an account to its holder records as its identity is at each look: a person by the ID
   * number verified at real-name level L2 or above, an organisation by its credit code once
   * verified (identity gives a credit code only then). Optional,
   * so the module runs without identity; `api.linkHolderAccount` links directly.
   */
  identity?: LicencesIdentityPort;
}

/**
 * E-licences (电子证照, GB/T 36901–36905): the directory of licence types, issuance (from an
 * approved case or by import) with SM2 signatures, public verification, the holder's wallet and
 * the record of every use (免提交).
 */
export function createLicencesModule(deps: PlatformDeps, opts: LicencesModuleOptions = {}) {
  const svc = createLicencesService({
    store: deps.store,
    clock: deps.clock,
    secretKey: deps.config.secretKey,
  });
  let timer: NodeJS.Timeout | undefined;

  /**
   * An account reaches a holder's licences through a link, and links follow the account's
   * identity as it is at each look: a person by the ID number they verified at real-name level L2
   * or above, an organisation by its credit code. An ID number registered at L1 is only a claim
   * (perhaps a squatter's); and a number another account has since verified is gone from this
   * one, so its links go at its next look (docs/identity.md). Likewise an organisation's credit
   * code counts only once the organisation is verified: a claimed code opens nothing, and one the
   * company's verified account reclaimed (or a clerk moved in a dispute) is gone at the next look. Accounts identity does not know
   * (the CLI, tests) keep the links `api.linkHolderAccount` gave them.
   */
  async function ensureLinked(accountId: string): Promise<void> {
    if (!opts.identity) return;
    const p = await opts.identity.personalData(accountId);
    if (!p) return;
    let holder: { idType: HolderIdType; idNumber: string } | undefined;
    if (p.kind === 'person' && p.idNumber && p.realNameLevel >= 2)
      holder = { idType: '111', idNumber: p.idNumber };
    if (p.kind === 'organization' && p.creditCode && p.realNameLevel >= 2)
      holder = { idType: '001', idNumber: p.creditCode };
    await svc.syncHolderLinks(accountId, holder);
  }

  const api = {
    ...svc,
    async listForAccount(accountId: string) {
      await ensureLinked(accountId);
      return svc.listForAccount(accountId);
    },
    async walletOf(accountId: string) {
      await ensureLinked(accountId);
      return svc.walletOf(accountId);
    },
    // an application may be the first time an account meets its licences (免提交)
    async usableMaterials(accountId: string, typeCodes: readonly string[]) {
      await ensureLinked(accountId);
      return svc.usableMaterials(accountId, typeCodes);
    },
    async materialFromLicence(identifier: string, accountId: string) {
      await ensureLinked(accountId);
      return svc.materialFromLicence(identifier, accountId);
    },
    // the holder's unmasked PDF and the record of uses: the link checked as it is now
    async documentFor(identifier: string, accountId: string) {
      await ensureLinked(accountId);
      return svc.documentFor(identifier, accountId);
    },
    async usesOf(identifier: string, accountId: string) {
      await ensureLinked(accountId);
      return svc.usesOf(identifier, accountId);
    },
    /** `tongban import licences <file.json>` */
    importLicences: (rows: unknown, progress: Parameters<typeof importLicences>[3]) =>
      importLicences(deps, svc, rows, progress),
  };

  async function seedDemo(): Promise<void> {
    await svc.upsertTypes(DEMO_TYPES);
    for (const i of Object.values(DEMO_ISSUERS)) await svc.upsertIssuer(i);
    const issue = async (
      typeName: string,
      holder: (typeof DEMO_HOLDERS)[keyof typeof DEMO_HOLDERS],
      fields: Record<string, string>,
      validFrom: string,
      validTo: string | null = null,
    ) => {
      const t = demoType(typeName);
      const issuer = DEMO_ISSUERS[t.defaultIssuer];
      await svc.issueLicence({
        typeCode: t.code,
        issuerCode: issuer.code,
        holder: { ...holder },
        fields,
        validFrom,
        validTo,
        issueDate: validFrom,
        regionCode: issuer.regionCode,
      });
    };
    const { citizen, spouse, child, enterprise } = DEMO_HOLDERS;
    await issue(
      '居民户口簿',
      citizen,
      { 户别: '家庭户', 住址: '河南省郑州市金水区花园路街道示范社区1号楼' },
      '2015-06-01',
    );
    await issue(
      '结婚证',
      citizen,
      { 持证人: citizen.name, 配偶: spouse.name, 登记日期: '2018-10-08' },
      '2018-10-08',
    );
    await issue(
      '结婚证',
      spouse,
      { 持证人: spouse.name, 配偶: citizen.name, 登记日期: '2018-10-08' },
      '2018-10-08',
    );
    await issue(
      '出生医学证明',
      child,
      {
        新生儿姓名: child.name,
        出生日期: '2020-06-15',
        出生地点: '河南省郑州市金水区',
        父亲: citizen.name,
        母亲: spouse.name,
      },
      '2020-06-16',
    );
    await issue(
      '不动产权证书',
      citizen,
      { 坐落: '郑州市金水区示范路88号3单元501', 面积: '98.60平方米', 用途: '城镇住宅用地/住宅' },
      '2019-03-20',
    );
    await issue('机动车驾驶证', citizen, { 准驾车型: 'C1' }, '2021-05-10', '2027-05-10');
    await issue(
      '营业执照',
      enterprise,
      {
        类型: '有限责任公司（自然人投资或控股）',
        法定代表人: '赵六',
        注册资本: '伍拾万元整',
        住所: '郑州市金水区示范路100号',
      },
      '2026-01-05',
    );
    await issue(
      '食品经营许可证',
      enterprise,
      { 经营场所: '郑州市金水区示范路100号', 主体业态: '餐饮服务经营者' },
      '2026-02-01',
      '2031-01-31',
    );
    // a minor's licences (the child's 出生医学证明) are managed by the parents (监护人)
    await svc.addGuardian(child, citizen);
    await svc.addGuardian(child, spouse);
  }

  const definition: ModuleDefinition = {
    name: 'licences',
    migrations: licencesMigrations,
    messages: licencesMessages,
    routes: (app) => licencesRoutes(app, api, { publicUrl: deps.config.publicUrl }),
    seedDemo,
    async warmUp() {
      await svc.markExpired();
      // expiry is an event: sweep hourly; unref so a CLI command can still exit
      timer = setInterval(
        () => {
          svc.markExpired().catch((err) => deps.log.error({ err }, 'licences: expiry sweep failed'));
        },
        60 * 60 * 1000,
      );
      timer.unref();
    },
    async close() {
      if (timer) clearInterval(timer);
    },
    // the wallet's link is in identity's navigation (for holders of licences.readOwn)
  };

  return { definition, api };
}

export type LicencesApi = ReturnType<typeof createLicencesModule>['api'];
