import { createHash, randomBytes } from 'node:crypto';
import { DomainError, type Clock, newId } from '../../kernel/index.js';
import { chinaDate } from '../../platform/calendar/index.js';
import { isValidCreditCode, isValidIdNumber } from '../../platform/codes/index.js';
import {
  SM2_DEFAULT_ID,
  type Sm2KeyPair,
  canonicalBytes,
  canonicalJson,
  generateSm2KeyPair,
  publicKeyToPem,
  sm2KeyId,
  sm2Sign,
  sm2Verify,
} from '../../platform/crypto/index.js';
import { type Executor, type Store, inTransaction, runPrecompiled } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import {
  createPersonalDataCipher,
  derivedKey,
  seal,
  unseal,
  maskIdNumber,
  maskName,
} from '../../platform/privacy/index.js';
import { formatIdentifier, parseIdentifier } from './licences.identifier.js';
import {
  type LicenceUse,
  type LicenceView,
  eventKinds,
  findLicence,
  ldb,
  licencesOfAccount,
  licencesOfHolder,
  usesForLicences,
} from './licences.store.js';
import {
  type HolderIdType,
  type HolderInput,
  IssueLicenceInput,
  type Issuer,
  type LicenceFields,
  type LicenceMaterial,
  type LicenceStatus,
  type LicenceSummary,
  type LicenceType,
  RecordUseInput,
  type SignatureView,
  type VerificationResult,
} from './licences.types.js';

export interface LicencesServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly secretKey: Buffer;
}

/** The exact metadata that is signed (GB/T 36903 core items; strings and integers only). */
export interface SignedMetadata {
  [k: string]: string | number;
  identifier: string;
  licenceName: string;
  typeCode: string;
  licenceNumber: string;
  issuerName: string;
  issuerCode: string;
  issueDate: string;
  holderName: string;
  holderIdType: string;
  holderId: string;
  validFrom: string;
  /** '' for long-term (长期) */
  validTo: string;
  jurisdictionCode: string;
  version: number;
  /** the identifier this version replaces, '' for a first issue */
  replaces: string;
  /** hex SM3(salt ‖ idType ‖ idNumber ‖ name): binds the full holder without publishing it */
  holderCommitment: string;
  /** hex SM3(salt ‖ canonical JSON of the licence's data items) */
  dataDigest: string;
  keyId: string;
  signatureAlgorithm: 'SM2-SM3';
  distinguishingId: string;
}

/** Today's date in China (UTC+8): the UTC date is a day behind between 00:00 and 08:00. */
const today = (clock: Clock): string => chinaDate(clock.now());
const sm3hex = (...parts: (string | Buffer)[]): string => {
  const h = createHash('sm3');
  for (const p of parts) {
    h.update(p);
    h.update(Buffer.from([0]));
  }
  return h.digest('hex');
};

/** Status from the append-only events and the dates (never a mutable column). */
export function licenceStatus(
  kinds: ReadonlySet<string>,
  validFrom: string,
  validTo: string | null,
  on: string,
): LicenceStatus {
  if (kinds.has('superseded')) return 'superseded';
  if (kinds.has('revoked')) return 'revoked';
  if (validTo !== null && validTo < on) return 'expired';
  if (validFrom > on) return 'notYetValid';
  return 'valid';
}

export function createLicencesService(deps: LicencesServiceDeps) {
  const { store, clock } = deps;
  const personal = createPersonalDataCipher(deps.secretKey);
  const keyEncKey = derivedKey(deps.secretKey, 'licences:signing-keys:aes-256-gcm');
  const keyCache = new Map<string, Sm2KeyPair>();
  const publicKeys = new Map<string, string>();

  // ── signing keys: per issuer, encrypted at rest, rotation keeps the history ──────────────
  const sealKey = (keyId: string, privateKey: string): string => seal(keyEncKey, privateKey, keyId);
  const openKey = (keyId: string, sealed: string): string =>
    unseal(keyEncKey, sealed, keyId).toString('utf8');

  async function insertKey(db: Executor, issuerCode: string): Promise<string> {
    const kp = generateSm2KeyPair();
    const id = sm2KeyId(kp.publicKey);
    await ldb(db)
      .insertInto('licence_keys')
      .values({
        id,
        issuer_code: issuerCode,
        public_key: kp.publicKey,
        private_key_sealed: sealKey(id, kp.privateKey),
        created_at: clock.now().toISOString(),
        retired_at: null,
      })
      .execute();
    keyCache.set(id, kp);
    return id;
  }

  /** The issuer's active key, created on first use. */
  async function activeKey(db: Executor, issuerCode: string): Promise<{ id: string; keys: Sm2KeyPair }> {
    let row = await ldb(db)
      .selectFrom('licence_active_keys')
      .select('key_id')
      .where('issuer_code', '=', issuerCode)
      .executeTakeFirst();
    if (!row) {
      // the pointer row is the lock: a concurrent issuer waits on it and then reads the winner's key
      const claimed = await ldb(db)
        .insertInto('licence_active_keys')
        .values({ issuer_code: issuerCode, key_id: 'pending', since: clock.now().toISOString() })
        .onConflict((oc) => oc.column('issuer_code').doNothing())
        .returning('issuer_code')
        .executeTakeFirst();
      if (claimed) {
        const id = await insertKey(db, issuerCode);
        await ldb(db)
          .updateTable('licence_active_keys')
          .set({ key_id: id })
          .where('issuer_code', '=', issuerCode)
          .execute();
        row = { key_id: id };
      } else {
        row = await ldb(db)
          .selectFrom('licence_active_keys')
          .select('key_id')
          .where('issuer_code', '=', issuerCode)
          .executeTakeFirstOrThrow();
      }
    }
    return { id: row.key_id, keys: await privateKeyOf(db, row.key_id) };
  }

  async function privateKeyOf(db: Executor, keyId: string): Promise<Sm2KeyPair> {
    const hit = keyCache.get(keyId);
    if (hit) return hit;
    const k = await ldb(db)
      .selectFrom('licence_keys')
      .selectAll()
      .where('id', '=', keyId)
      .executeTakeFirstOrThrow();
    const kp = { privateKey: openKey(keyId, k.private_key_sealed), publicKey: k.public_key };
    keyCache.set(keyId, kp);
    return kp;
  }

  async function publicKeyOf(db: Executor, keyId: string): Promise<string | undefined> {
    const hit = publicKeys.get(keyId);
    if (hit) return hit;
    const k = await ldb(db)
      .selectFrom('licence_keys')
      .select('public_key')
      .where('id', '=', keyId)
      .executeTakeFirst();
    if (k) publicKeys.set(keyId, k.public_key);
    return k?.public_key;
  }

  /** Rotation: a new key becomes active; the old one is retired but still verifies what it signed. */
  async function rotateKey(issuerCode: string): Promise<string> {
    return inTransaction(store.db, async (trx) => {
      // only a body in the directory gets a key (a typo must not mint a signing key for nobody)
      const known = await ldb(trx)
        .selectFrom('licence_issuers')
        .select('code')
        .where('code', '=', issuerCode)
        .executeTakeFirst();
      if (!known) throw new DomainError('LICENCES.UNKNOWN_ISSUER', { params: { issuer: issuerCode } });
      const now = clock.now().toISOString();
      const id = await insertKey(trx, issuerCode);
      const prev = await ldb(trx)
        .selectFrom('licence_active_keys')
        .select('key_id')
        .where('issuer_code', '=', issuerCode)
        .executeTakeFirst();
      if (prev) {
        await ldb(trx)
          .updateTable('licence_keys')
          .set({ retired_at: now })
          .where('id', '=', prev.key_id)
          .execute();
        await ldb(trx)
          .updateTable('licence_active_keys')
          .set({ key_id: id, since: now })
          .where('issuer_code', '=', issuerCode)
          .execute();
      } else {
        await ldb(trx)
          .insertInto('licence_active_keys')
          .values({ issuer_code: issuerCode, key_id: id, since: now })
          .execute();
      }
      await appendEvent(trx, clock, {
        type: 'licences.key_rotated',
        aggregateType: 'licence_issuer',
        aggregateId: issuerCode,
        payload: { issuerCode, keyId: id, previousKeyId: prev?.key_id ?? null },
      });
      return id;
    });
  }

  // ── directory: types and issuers ──────────────────────────────────────────────────────────
  async function upsertTypes(types: readonly LicenceType[], db: Executor = store.db): Promise<void> {
    const now = clock.now().toISOString();
    for (const t of types) {
      await ldb(db)
        .insertInto('licence_types')
        .values({
          code: t.code,
          name: t.name,
          name_en: t.nameEn,
          authority_name: t.authorityName,
          authority_code: t.authorityCode,
          holder_kind: t.holderKind,
          share_scope: t.shareScope,
          validity_years: t.validityYears,
          created_at: now,
        })
        .onConflict((oc) =>
          oc.column('code').doUpdateSet({
            name: t.name,
            name_en: t.nameEn,
            authority_name: t.authorityName,
            holder_kind: t.holderKind,
            share_scope: t.shareScope,
            validity_years: t.validityYears,
          }),
        )
        .execute();
    }
  }

  async function upsertIssuer(i: Issuer, db: Executor = store.db): Promise<void> {
    if (!isValidCreditCode(i.code, { organizationCode: false })) {
      throw new DomainError('LICENCES.UNKNOWN_ISSUER', { params: { issuer: i.code } });
    }
    await ldb(db)
      .insertInto('licence_issuers')
      .values({
        code: i.code,
        name: i.name,
        region_code: i.regionCode,
        created_at: clock.now().toISOString(),
      })
      .onConflict((oc) => oc.column('code').doUpdateSet({ name: i.name, region_code: i.regionCode }))
      .execute();
  }

  async function listTypes() {
    return ldb(store.db).selectFrom('licence_types').selectAll().orderBy('code').execute();
  }

  /** The type of a name (the first by code, as a search of listTypes finds it): what 出证 asks. */
  async function typeByName(name: string): Promise<{ code: string; name: string } | undefined> {
    const r = await runPrecompiled(
      store.db,
      ldb,
      'licences.typeByName',
      (q, slot) =>
        q
          .selectFrom('licence_types')
          .select(['code', 'name'])
          .where('name', '=', slot(0))
          .orderBy('code')
          .limit(1),
      [name],
    );
    return r.rows[0];
  }

  // ── holders ───────────────────────────────────────────────────────────────────────────────
  const holderHash = (idType: HolderIdType, idNumber: string): string =>
    personal.lookupHash(idType === '111' ? 'idNumber' : 'creditCode', idNumber);

  function checkHolder(h: HolderInput): void {
    const okId =
      h.idType === '111'
        ? isValidIdNumber(h.idNumber, { today: today(clock) })
        : isValidCreditCode(h.idNumber, { organizationCode: false });
    if (!okId) throw new DomainError('LICENCES.INVALID_HOLDER', { details: { field: 'holder.idNumber' } });
  }

  async function upsertHolder(
    db: Executor,
    h: HolderInput,
  ): Promise<{ hash: string; nameMasked: string; idMasked: string }> {
    const idNumber = h.idNumber.trim().toUpperCase();
    const hash = holderHash(h.idType, idNumber);
    const nameMasked = h.idType === '111' ? maskName(h.name) : h.name;
    const idMasked = h.idType === '111' ? maskIdNumber(idNumber) : idNumber;
    const exists = await ldb(db)
      .selectFrom('licence_holders')
      .select('id_hash')
      .where('id_hash', '=', hash)
      .executeTakeFirst();
    if (!exists) {
      await ldb(db)
        .insertInto('licence_holders')
        .values({
          id_hash: hash,
          id_type: h.idType,
          id_number_sealed: personal.encrypt(idNumber),
          name_sealed: personal.encrypt(h.name),
          name_masked: nameMasked,
          id_masked: idMasked,
          created_at: clock.now().toISOString(),
        })
        .onConflict((oc) => oc.column('id_hash').doNothing())
        .execute();
    }
    return { hash, nameMasked, idMasked };
  }

  /**
   * Links an account to a holder (the identity module or the demo seed calls this once a person's
   * or organisation's identity is verified). Idempotent.
   */
  async function linkHolderAccount(
    accountId: string,
    idNumber: string,
    idType?: HolderIdType,
  ): Promise<void> {
    const type: HolderIdType = idType ?? (/^\d{17}[\dX]$/i.test(idNumber.trim()) ? '111' : '001');
    const hash = holderHash(type, idNumber.trim().toUpperCase());
    const wards = await ldb(store.db)
      .selectFrom('licence_guardians')
      .select('ward_hash')
      .where('guardian_hash', '=', hash)
      .execute();
    const now = clock.now().toISOString();
    for (const h of [hash, ...wards.map((w) => w.ward_hash)]) {
      await ldb(store.db)
        .insertInto('licence_holder_accounts')
        .values({ holder_id_hash: h, account_id: accountId, linked_at: now })
        .onConflict((oc) => oc.columns(['holder_id_hash', 'account_id']).doNothing())
        .execute();
    }
  }

  /**
   * Makes an account's links what its identity says now: the holder it is (with the wards that
   * holder is guardian of), or none. Links it has beyond those go — the account lost the number
   * or code they came from. Reads only, unless something changed.
   */
  async function syncHolderLinks(
    accountId: string,
    holder: { idNumber: string; idType: HolderIdType } | undefined,
  ): Promise<void> {
    const wanted = new Set<string>();
    if (holder) {
      const hash = holderHash(holder.idType, holder.idNumber.trim().toUpperCase());
      wanted.add(hash);
      const wards = await ldb(store.db)
        .selectFrom('licence_guardians')
        .select('ward_hash')
        .where('guardian_hash', '=', hash)
        .execute();
      for (const w of wards) wanted.add(w.ward_hash);
    }
    const have = new Set(
      (
        await ldb(store.db)
          .selectFrom('licence_holder_accounts')
          .select('holder_id_hash')
          .where('account_id', '=', accountId)
          .execute()
      ).map((r) => r.holder_id_hash),
    );
    const gone = [...have].filter((h) => !wanted.has(h));
    const added = [...wanted].filter((h) => !have.has(h));
    if (gone.length === 0 && added.length === 0) return;
    await inTransaction(store.db, async (db) => {
      if (gone.length)
        await ldb(db)
          .deleteFrom('licence_holder_accounts')
          .where('account_id', '=', accountId)
          .where('holder_id_hash', 'in', gone)
          .execute();
      const now = clock.now().toISOString();
      for (const h of added)
        await ldb(db)
          .insertInto('licence_holder_accounts')
          .values({ holder_id_hash: h, account_id: accountId, linked_at: now })
          .onConflict((oc) => oc.columns(['holder_id_hash', 'account_id']).doNothing())
          .execute();
    });
  }

  /** Records that `guardian` manages `ward`'s licences (e.g. a parent for a minor). */
  async function addGuardian(ward: HolderInput, guardian: HolderInput): Promise<void> {
    checkHolder(ward);
    checkHolder(guardian);
    await inTransaction(store.db, async (db) => {
      const w = await upsertHolder(db, ward);
      const g = await upsertHolder(db, guardian);
      await ldb(db)
        .insertInto('licence_guardians')
        .values({ ward_hash: w.hash, guardian_hash: g.hash, created_at: clock.now().toISOString() })
        .onConflict((oc) => oc.columns(['ward_hash', 'guardian_hash']).doNothing())
        .execute();
      // accounts already linked to the guardian see the ward's licences too
      const accounts = await ldb(db)
        .selectFrom('licence_holder_accounts')
        .select('account_id')
        .where('holder_id_hash', '=', g.hash)
        .execute();
      for (const a of accounts) {
        await ldb(db)
          .insertInto('licence_holder_accounts')
          .values({ holder_id_hash: w.hash, account_id: a.account_id, linked_at: clock.now().toISOString() })
          .onConflict((oc) => oc.columns(['holder_id_hash', 'account_id']).doNothing())
          .execute();
      }
    });
  }

  // ── issuance ──────────────────────────────────────────────────────────────────────────────
  /**
   * Issues a licence (or, with `replaces`, a new version of one). Runs in the caller's
   * transaction when given one (the cases module issues inside its approval transaction).
   */
  async function issueLicence(
    raw: IssueLicenceInput & { issuerName?: string },
    trx?: Executor,
    actor?: string | null,
  ): Promise<{ identifier: string; version: number }> {
    const parsed = IssueLicenceInput.safeParse(raw);
    if (!parsed.success) {
      throw new DomainError('COMMON.VALIDATION', {
        details: parsed.error.issues.map((i) => ({ field: i.path.join('.'), rule: i.code })),
      });
    }
    const input = parsed.data;
    checkHolder(input.holder);
    if (input.validTo !== null && input.validTo < input.validFrom)
      throw new DomainError('LICENCES.INVALID_VALIDITY');

    return inTransaction(trx ?? store.db, async (db) => {
      const type = await ldb(db)
        .selectFrom('licence_types')
        .selectAll()
        .where('code', '=', input.typeCode)
        .executeTakeFirst();
      if (!type) throw new DomainError('LICENCES.UNKNOWN_TYPE', { params: { typeCode: input.typeCode } });
      let issuer = await ldb(db)
        .selectFrom('licence_issuers')
        .selectAll()
        .where('code', '=', input.issuerCode)
        .executeTakeFirst();
      if (!issuer && raw.issuerName && input.regionCode) {
        await upsertIssuer(
          { code: input.issuerCode, name: raw.issuerName, regionCode: input.regionCode },
          db,
        );
        issuer = await ldb(db)
          .selectFrom('licence_issuers')
          .selectAll()
          .where('code', '=', input.issuerCode)
          .executeTakeFirst();
      }
      if (!issuer) throw new DomainError('LICENCES.UNKNOWN_ISSUER', { params: { issuer: input.issuerCode } });
      const holder = await upsertHolder(db, input.holder);

      let serial: string;
      let version = 1;
      let replaced: LicenceView | undefined;
      if (input.replaces) {
        replaced = await load(db, input.replaces);
        const kinds = await kindsOf(db, replaced.id);
        if (kinds.has('revoked') || kinds.has('superseded'))
          throw new DomainError('LICENCES.ALREADY_REVOKED');
        if (
          replaced.type_code !== input.typeCode ||
          replaced.issuer_code !== input.issuerCode ||
          replaced.holder_id_hash !== holder.hash
        ) {
          throw new DomainError('COMMON.VALIDATION', {
            details: [{ field: 'replaces', rule: 'LICENCES.SAME_TYPE_ISSUER_HOLDER' }],
          });
        }
        serial = replaced.serial;
        version = replaced.version + 1;
      } else {
        serial = await nextSerial(db, input.typeCode, input.issuerCode);
      }
      const identifier = formatIdentifier({
        typeCode: input.typeCode,
        issuerCode: input.issuerCode,
        serial,
        version,
      });
      const { id: keyId, keys } = await activeKey(db, input.issuerCode);
      const salt = randomBytes(16).toString('hex');
      const idNumber = input.holder.idNumber.trim().toUpperCase();
      const regionCode = input.regionCode ?? issuer.region_code;
      const licenceNumber =
        input.licenceNumber ?? `${type.name.slice(0, 2)}${regionCode.slice(0, 6)}${serial}`;
      const issueDate = input.issueDate ?? today(clock);
      const meta: SignedMetadata = {
        identifier,
        licenceName: type.name,
        typeCode: type.code,
        licenceNumber,
        issuerName: issuer.name,
        issuerCode: issuer.code,
        issueDate,
        holderName: holder.nameMasked,
        holderIdType: input.holder.idType,
        holderId: holder.idMasked,
        validFrom: input.validFrom,
        validTo: input.validTo ?? '',
        jurisdictionCode: regionCode,
        version,
        replaces: replaced?.identifier ?? '',
        holderCommitment: sm3hex(salt, input.holder.idType, idNumber, input.holder.name),
        dataDigest: sm3hex(salt, canonicalJson(input.fields)),
        keyId,
        signatureAlgorithm: 'SM2-SM3',
        distinguishingId: SM2_DEFAULT_ID,
      };
      const bytes = canonicalBytes(meta);
      const signature = sm2Sign(bytes, keys);
      const id = newId();
      const now = clock.now().toISOString();
      await ldb(db)
        .insertInto('licences')
        .values({
          id,
          identifier,
          type_code: type.code,
          issuer_code: issuer.code,
          serial,
          version,
          licence_number: licenceNumber,
          holder_id_hash: holder.hash,
          region_code: regionCode,
          issue_date: issueDate,
          valid_from: input.validFrom,
          valid_to: input.validTo,
          signed_bytes: bytes.toString('utf8'),
          signature: signature.toString('base64'),
          key_id: keyId,
          fields_sealed: personal.encrypt(canonicalJson(input.fields)),
          salt_sealed: personal.encrypt(salt),
          case_number: input.caseNumber ?? null,
          replaces: replaced?.identifier ?? null,
          created_at: now,
        })
        .execute();
      await addEvent(db, {
        licenceId: id,
        kind: 'issued',
        regionCode,
        caseNumber: input.caseNumber ?? null,
        actor: actor ?? null,
      });
      await appendEvent(db, clock, {
        type: 'licences.issued',
        aggregateType: 'licence',
        aggregateId: identifier,
        regionCode,
        actor: actor ?? null,
        payload: { identifier, typeCode: type.code, issuerCode: issuer.code, version },
      });
      if (replaced) {
        await addEvent(db, {
          licenceId: replaced.id,
          kind: 'superseded',
          regionCode,
          reason: identifier,
          actor: actor ?? null,
        });
        await appendEvent(db, clock, {
          type: 'licences.revoked',
          aggregateType: 'licence',
          aggregateId: replaced.identifier,
          regionCode,
          actor: actor ?? null,
          payload: {
            identifier: replaced.identifier,
            typeCode: type.code,
            issuerCode: issuer.code,
            reason: 'superseded',
          },
        });
      }
      return { identifier, version };
    });
  }

  async function nextSerial(db: Executor, typeCode: string, issuerCode: string): Promise<string> {
    const row = await ldb(db)
      .insertInto('licence_serials')
      .values({ type_code: typeCode, issuer_code: issuerCode, next_serial: 2 })
      .onConflict((oc) =>
        oc
          .columns(['type_code', 'issuer_code'])
          .doUpdateSet((eb) => ({ next_serial: eb('licence_serials.next_serial', '+', 1) })),
      )
      .returning('next_serial')
      .executeTakeFirstOrThrow();
    return String(Number(row.next_serial) - 1).padStart(8, '0');
  }

  async function addEvent(
    db: Executor,
    e: {
      licenceId: string;
      kind: string;
      regionCode: string;
      reason?: string | null;
      caseNumber?: string | null;
      actor?: string | null;
    },
  ): Promise<void> {
    await ldb(db)
      .insertInto('licence_events')
      .values({
        id: newId(),
        licence_id: e.licenceId,
        kind: e.kind,
        reason: e.reason ?? null,
        case_number: e.caseNumber ?? null,
        actor: e.actor ?? null,
        region_code: e.regionCode,
        at: clock.now().toISOString(),
      })
      .execute();
  }

  /** Looks up by identifier; a malformed one or a wrong check character is a 400, unknown a 404. */
  async function load(db: Executor, rawIdentifier: string): Promise<LicenceView> {
    const p = parseIdentifier(rawIdentifier);
    if (!p.ok) {
      throw new DomainError(
        p.problem === 'CHECK_CHARACTER' ? 'LICENCES.CHECK_CHARACTER' : 'LICENCES.MALFORMED_IDENTIFIER',
        {
          details: { reason: p.reason },
        },
      );
    }
    const l = await findLicence(db, p.value.identifier);
    if (!l) throw new DomainError('LICENCES.NOT_FOUND');
    return l;
  }

  /** The licence's event kinds, for its status. */
  async function kindsOf(db: Executor, licenceId: string): Promise<ReadonlySet<string>> {
    return (await eventKinds(db, [licenceId])).get(licenceId) ?? new Set();
  }

  async function revokeLicence(
    input: { identifier: string; reason: string; actor?: string | null; caseNumber?: string | null },
    trx?: Executor,
  ): Promise<void> {
    await inTransaction(trx ?? store.db, async (db) => {
      const l = await load(db, input.identifier);
      const kinds = await kindsOf(db, l.id);
      if (kinds.has('revoked') || kinds.has('superseded')) throw new DomainError('LICENCES.ALREADY_REVOKED');
      await addEvent(db, {
        licenceId: l.id,
        kind: 'revoked',
        regionCode: l.region_code,
        reason: input.reason.slice(0, 200),
        caseNumber: input.caseNumber ?? null,
        actor: input.actor ?? null,
      });
      await appendEvent(db, clock, {
        type: 'licences.revoked',
        aggregateType: 'licence',
        aggregateId: l.identifier,
        regionCode: l.region_code,
        actor: input.actor ?? null,
        payload: {
          identifier: l.identifier,
          typeCode: l.type_code,
          issuerCode: l.issuer_code,
          reason: 'revoked',
        },
      });
    });
  }

  /** Appends `expired` for licences past their validity that have no such event yet. */
  async function markExpired(): Promise<number> {
    const on = today(clock);
    return inTransaction(store.db, async (db) => {
      const due = await ldb(db)
        .selectFrom('licences')
        .select(['id', 'identifier', 'type_code', 'issuer_code', 'region_code'])
        .where('valid_to', 'is not', null)
        .where('valid_to', '<', on)
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('licence_events')
                .select('licence_events.id')
                .whereRef('licence_events.licence_id', '=', 'licences.id')
                .where('licence_events.kind', 'in', ['expired', 'revoked', 'superseded']),
            ),
          ),
        )
        .limit(1000)
        .execute();
      for (const l of due) {
        await addEvent(db, { licenceId: l.id, kind: 'expired', regionCode: l.region_code });
        await appendEvent(db, clock, {
          type: 'licences.expired',
          aggregateType: 'licence',
          aggregateId: l.identifier,
          regionCode: l.region_code,
          payload: { identifier: l.identifier, typeCode: l.type_code, issuerCode: l.issuer_code },
        });
      }
      return due.length;
    });
  }

  // ── reading ───────────────────────────────────────────────────────────────────────────────
  function summary(l: LicenceView, kinds: ReadonlySet<string>): LicenceSummary {
    const status = licenceStatus(kinds, l.valid_from, l.valid_to, today(clock));
    return {
      identifier: l.identifier,
      typeCode: l.type_code,
      typeName: l.type_name,
      licenceNumber: l.licence_number,
      issuerCode: l.issuer_code,
      issuerName: l.issuer_name,
      holderNameMasked: l.name_masked,
      holderIdMasked: l.id_masked,
      holderIdType: l.id_type as HolderIdType,
      issueDate: l.issue_date,
      validFrom: l.valid_from,
      validTo: l.valid_to,
      version: l.version,
      regionCode: l.region_code,
      status,
      revoked: status === 'revoked' || status === 'superseded',
      expired: status === 'expired',
    };
  }

  async function checkSignature(db: Executor, l: LicenceView): Promise<boolean> {
    const pub = await publicKeyOf(db, l.key_id);
    if (!pub) return false;
    return sm2Verify(Buffer.from(l.signed_bytes, 'utf8'), Buffer.from(l.signature, 'base64'), pub);
  }

  async function verify(rawIdentifier: string): Promise<VerificationResult> {
    const l = await load(store.db, rawIdentifier);
    const s = summary(l, await kindsOf(store.db, l.id));
    const signatureValid = await checkSignature(store.db, l);
    return {
      valid: s.status === 'valid' && signatureValid,
      status: s.status,
      revoked: s.revoked,
      expired: s.expired,
      identifier: l.identifier,
      type: l.type_name,
      issuer: l.issuer_name,
      holder: l.name_masked,
      validFrom: l.valid_from,
      validTo: l.valid_to,
      signatureValid,
    };
  }

  async function signatureOf(rawIdentifier: string): Promise<SignatureView> {
    const l = await load(store.db, rawIdentifier);
    const pub = await publicKeyOf(store.db, l.key_id);
    if (!pub) throw new Error(`signing key ${l.key_id} missing`);
    return {
      algorithm: 'SM2-SM3',
      distinguishingId: SM2_DEFAULT_ID,
      signedBytes: Buffer.from(l.signed_bytes, 'utf8').toString('base64'),
      signature: l.signature,
      keyId: l.key_id,
      publicKeyPem: publicKeyToPem(pub),
    };
  }

  /**
   * The e-licence directory (电子证照目录) of one holder, for the exchange's register port: every
   * licence the holder (a person's ID number or an organisation's credit code) holds, with its
   * status, in the caller's transaction when given.
   */
  async function directoryOf(
    holder: { kind: 'idNumber' | 'creditCode'; key: string },
    within?: Executor,
  ): Promise<LicenceSummary[]> {
    const db = within ?? store.db;
    const rows = await licencesOfHolder(
      db,
      holderHash(holder.kind === 'idNumber' ? '111' : '001', holder.key),
    );
    const kinds = await eventKinds(
      db,
      rows.map((r) => r.id),
    );
    return rows.map((r) => summary(r, kinds.get(r.id) ?? new Set()));
  }

  async function listForAccount(accountId: string): Promise<LicenceSummary[]> {
    const rows = await licencesOfAccount(store.db, accountId);
    const kinds = await eventKinds(
      store.db,
      rows.map((r) => r.id),
    );
    return rows.map((r) => summary(r, kinds.get(r.id) ?? new Set()));
  }

  /**
   * The holder's wallet: their licences and every licence's uses, in three queries whatever the
   * number of licences (the licences, their events, their uses).
   */
  async function walletOf(
    accountId: string,
  ): Promise<{ licences: LicenceSummary[]; uses: Map<string, LicenceUse[]> }> {
    const rows = await licencesOfAccount(store.db, accountId);
    const ids = rows.map((r) => r.id);
    const kinds = await eventKinds(store.db, ids);
    const uses = await usesForLicences(store.db, ids);
    return {
      licences: rows.map((r) => summary(r, kinds.get(r.id) ?? new Set())),
      uses: new Map(rows.map((r) => [r.identifier, uses.get(r.id) ?? []])),
    };
  }

  async function isHolder(db: Executor, l: LicenceView, accountId: string): Promise<boolean> {
    const link = await ldb(db)
      .selectFrom('licence_holder_accounts')
      .select('account_id')
      .where('holder_id_hash', '=', l.holder_id_hash)
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    return link !== undefined;
  }

  /** Looks a licence up for the account that holds it; anyone else gets LICENCES.NOT_HOLDER. */
  async function loadForHolder(db: Executor, rawIdentifier: string, accountId: string): Promise<LicenceView> {
    const l = await load(db, rawIdentifier);
    if (!(await isHolder(db, l, accountId))) throw new DomainError('LICENCES.NOT_HOLDER');
    return l;
  }

  /** A licence in force as a case material (免提交). */
  const toMaterial = (s: LicenceSummary): LicenceMaterial => ({
    licenceIdentifier: s.identifier,
    trustLevel: 'A',
    typeCode: s.typeCode,
    typeName: s.typeName,
    licenceNumber: s.licenceNumber,
    issuerName: s.issuerName,
    validTo: s.validTo,
    documentPath: `/licences/${encodeURIComponent(s.identifier)}.pdf`,
  });

  /** The full licence for its holder (PDF rendering): unmasked name and id, data items. */
  async function documentFor(rawIdentifier: string, accountId: string) {
    const l = await loadForHolder(store.db, rawIdentifier, accountId);
    const kinds = await kindsOf(store.db, l.id);
    const holder = await ldb(store.db)
      .selectFrom('licence_holders')
      .selectAll()
      .where('id_hash', '=', l.holder_id_hash)
      .executeTakeFirstOrThrow();
    return {
      summary: summary(l, kinds),
      holderName: personal.decrypt(holder.name_sealed),
      holderId: personal.decrypt(holder.id_number_sealed),
      fields: JSON.parse(personal.decrypt(l.fields_sealed)) as LicenceFields,
      keyId: l.key_id,
      signature: l.signature,
    };
  }

  /** What a case material needs when it comes from an e-licence; only for the holder, only while usable. */
  async function materialFromLicence(rawIdentifier: string, accountId: string): Promise<LicenceMaterial> {
    const l = await loadForHolder(store.db, rawIdentifier, accountId);
    const s = summary(l, await kindsOf(store.db, l.id));
    if (s.status !== 'valid') throw new DomainError('LICENCES.NOT_USABLE');
    return toMaterial(s);
  }

  /**
   * The holder's licences in force that can stand in for a material (免提交): the cases module
   * calls this with the licence type codes a material accepts and offers them to the applicant.
   */
  async function usableMaterials(
    accountId: string,
    typeCodes: readonly string[],
  ): Promise<LicenceMaterial[]> {
    const all = await listForAccount(accountId);
    return all.filter((l) => l.status === 'valid' && typeCodes.includes(l.typeCode)).map(toMaterial);
  }

  /**
   * Records a department's use of a licence for a case (用证记录), with the holder's consent:
   * the account applying must be the holder's. Runs in the caller's transaction when given.
   */
  async function recordUse(raw: RecordUseInput, trx?: Executor): Promise<{ useId: string }> {
    const input = RecordUseInput.parse(raw);
    return inTransaction(trx ?? store.db, async (db) => {
      const l = await loadForHolder(db, input.identifier, input.accountId);
      if (summary(l, await kindsOf(db, l.id)).status !== 'valid')
        throw new DomainError('LICENCES.NOT_USABLE');
      const useId = newId();
      await ldb(db)
        .insertInto('licence_uses')
        .values({
          id: useId,
          licence_id: l.id,
          account_id: input.accountId,
          case_number: input.caseNumber,
          department_id: input.departmentId,
          user_name: input.userName,
          purpose: input.purpose,
          region_code: l.region_code,
          used_at: clock.now().toISOString(),
        })
        .execute();
      await appendEvent(db, clock, {
        type: 'licences.used',
        aggregateType: 'licence',
        aggregateId: l.identifier,
        regionCode: l.region_code,
        actor: input.accountId,
        payload: {
          identifier: l.identifier,
          typeCode: l.type_code,
          issuerCode: l.issuer_code,
          caseNumber: input.caseNumber,
        },
      });
      return { useId };
    });
  }

  /** The holder's view of who used a licence, for which case, when. */
  async function usesOf(rawIdentifier: string, accountId: string): Promise<LicenceUse[]> {
    const l = await loadForHolder(store.db, rawIdentifier, accountId);
    return (await usesForLicences(store.db, [l.id])).get(l.id) ?? [];
  }

  return {
    upsertTypes,
    upsertIssuer,
    listTypes,
    typeByName,
    linkHolderAccount,
    syncHolderLinks,
    addGuardian,
    issueLicence,
    revokeLicence,
    markExpired,
    rotateKey,
    verify,
    signatureOf,
    listForAccount,
    directoryOf,
    walletOf,
    documentFor,
    materialFromLicence,
    usableMaterials,
    recordUse,
    usesOf,
  };
}

export type LicencesService = ReturnType<typeof createLicencesService>;
