import { randomInt, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../../kernel/index.js';
import { type Principal, holds } from '../../platform/access.js';
import { chinaDate } from '../../platform/calendar/index.js';
import { checkIdNumber } from '../../platform/codes/index.js';
import { type Executor, inTransaction } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import { type IdentityContext, POLICY, isoIn, sha256 } from './identity.context.js';
import { PERMISSIONS } from './identity.permissions.js';
import {
  type AccountRow,
  accountById,
  accountByIdHash,
  accountByLogin,
  accountsClaiming,
  deleteInPersonCode,
  failInPersonCode,
  inPersonCodeOf,
  putInPersonCode,
  releaseIdNumber,
  setVerifiedIdNumber,
  spendInPersonCode,
} from './identity.store.js';
import type { InPersonCheckInput, RealNameFactors, RealNameLevel } from './identity.types.js';

/**
 * Real-name levels. L1 is a claim: the registration form checks that an ID number is valid, not
 * whose it is, so several accounts may hold one number at L1 (a squatter's and the owner's). The
 * number becomes an account's own when it passes L2 (three factors online) or L3 (a clerk saw the
 * person and their card); every other account holding it then loses it, and with it anything it
 * could reach through it (licences follow the verified number: docs/identity.md).
 */

/** L2: the ID number plus at least two more factors, checked by the verifier. */
export async function verifyRealName(
  ctx: IdentityContext,
  accountId: string,
  factors: RealNameFactors,
): Promise<RealNameLevel> {
  const a = await accountById(ctx.db, accountId);
  if (a?.kind !== 'person') throw new DomainError('IDENTITY.NOT_FOUND');
  if (!a.id_number_enc || !a.id_number_claim_hash) throw new DomainError('IDENTITY.ID_NUMBER_RELEASED');
  const given = Object.fromEntries(
    Object.entries(factors).filter(([, v]) => typeof v === 'string' && v.trim() !== ''),
  ) as RealNameFactors;
  if (Object.keys(given).length < 2) throw new DomainError('IDENTITY.VERIFICATION_FACTORS');
  const idNumber = ctx.cipher.decrypt(a.id_number_enc);
  const ok = await ctx.verifier.verify({ name: a.name, idNumber, factors: given });
  if (!ok) throw new DomainError('IDENTITY.VERIFICATION_FAILED');
  if (a.real_name_level >= 2) return a.real_name_level as RealNameLevel;
  const claim = a.id_number_claim_hash;
  await inTransaction(ctx.db, async (trx) => {
    // the claim as it is now: another account may have verified the number meanwhile
    const now = await accountById(trx, a.id);
    if (!now || now.id_number_claim_hash !== claim) throw new DomainError('IDENTITY.ID_NUMBER_RELEASED');
    // online factors take a number from claims, never from an account that verified it: factors
    // can be stolen, so only a check in person (a face and a card) moves a verified number
    const holder = await accountByIdHash(trx, claim);
    if (holder && holder.id !== a.id) throw new DomainError('IDENTITY.ID_NUMBER_VERIFIED');
    await takeIdNumber(ctx, trx, now, idNumber, 2, `online:${Object.keys(given).sort().join('+')}`, a.id);
  });
  return 2;
}

/**
 * 现场核验码: a signed-in person asks for a one-time code (on their account page) and shows it to
 * the clerk, so the check in person raises the account the person is signed in to — not
 * whichever account happens to hold the number on their card. Short-lived, single use, one per
 * account (a new one replaces the old).
 */
export async function issueInPersonCode(
  ctx: IdentityContext,
  accountId: string,
): Promise<{ code: string; expiresAt: string }> {
  const a = await accountById(ctx.db, accountId);
  if (a?.kind !== 'person') throw new DomainError('IDENTITY.IN_PERSON_PERSONS_ONLY');
  // 8 random digits: with at most POLICY.inPersonCodeFailures tries per code, a guess succeeds
  // with odds of 5 in 100 million, and only for a clerk who can also show the person's card
  const code = String(randomInt(0, 100_000_000)).padStart(8, '0');
  const expiresAt = isoIn(ctx, POLICY.inPersonCodeMs);
  await putInPersonCode(ctx.db, {
    account_id: a.id,
    code_hash: sha256(code),
    expires_at: expiresAt,
    failures: 0,
    created_at: isoIn(ctx),
  });
  return { code, expiresAt };
}

/**
 * L3: a window clerk saw the person and their ID card. The code ties the check to the account
 * that showed it; the card's name and number must be the account's (an account that lost its
 * number takes the card's). The account then holds the number verified in person, and every
 * other account holding it loses it — whatever its level.
 */
export async function verifyInPerson(
  ctx: IdentityContext,
  clerk: Principal,
  input: InPersonCheckInput,
): Promise<void> {
  // fail closed: the route checks the permission, the use case again (a CLI or module caller)
  if (!holds(clerk, PERMISSIONS.identityVerifyInPerson)) throw new DomainError('COMMON.FORBIDDEN');
  const idNumber = input.idNumber.replace(/\s/g, '').toUpperCase();
  const id = checkIdNumber(idNumber, { today: chinaDate(ctx.clock.now()) });
  if (!id.ok)
    throw new DomainError('COMMON.VALIDATION', {
      details: { issues: [{ field: 'idNumber', rule: id.failures[0]! }] },
    });
  const a = await accountByLogin(ctx.db, input.login);
  const row = a?.kind === 'person' ? await inPersonCodeOf(ctx.db, a.id) : undefined;
  if (!a || !row || new Date(row.expires_at).getTime() <= ctx.clock.now().getTime())
    throw new DomainError('IDENTITY.IN_PERSON_CODE_INVALID');
  const given = Buffer.from(sha256(input.code.replace(/\s/g, '')), 'hex');
  if (!timingSafeEqual(given, Buffer.from(row.code_hash, 'hex'))) {
    await countFailure(ctx, a.id);
    throw new DomainError('IDENTITY.IN_PERSON_CODE_INVALID');
  }
  const claimed = a.id_number_enc ? ctx.cipher.decrypt(a.id_number_enc) : null;
  if (a.name.trim() !== input.name.trim() || (claimed !== null && claimed !== idNumber)) {
    await countFailure(ctx, a.id);
    throw new DomainError('IDENTITY.IN_PERSON_MISMATCH');
  }
  await inTransaction(ctx.db, async (trx) => {
    // single use, even when the same code arrives twice at the same moment
    if (!(await spendInPersonCode(trx, a.id, row.code_hash)))
      throw new DomainError('IDENTITY.IN_PERSON_CODE_INVALID');
    const now = await accountById(trx, a.id);
    if (!now || now.id_number_enc !== a.id_number_enc)
      throw new DomainError('IDENTITY.IN_PERSON_CODE_INVALID');
    await takeIdNumber(ctx, trx, now, idNumber, 3, 'in-person', clerk.accountId);
  });
}

/** A wrong code or card counts against the live code; after a few it is void. */
async function countFailure(ctx: IdentityContext, accountId: string): Promise<void> {
  if ((await failInPersonCode(ctx.db, accountId)) >= POLICY.inPersonCodeFailures)
    await deleteInPersonCode(ctx.db, accountId);
}

/**
 * The account holds the number verified at `level`; every other account holding it (claims at
 * L1; at L3 also an account that verified it before) loses it and is told by SMS, in one
 * transaction.
 */
async function takeIdNumber(
  ctx: IdentityContext,
  trx: Executor,
  a: AccountRow,
  idNumber: string,
  level: RealNameLevel,
  method: string,
  actor: string,
): Promise<void> {
  const { cipher } = ctx;
  const hash = cipher.lookupHash('idNumber', idNumber);
  const at = isoIn(ctx);
  for (const other of await accountsClaiming(trx, hash)) {
    if (other.id === a.id) continue;
    await releaseIdNumber(trx, other.id, at);
    await appendEvent(trx, ctx.clock, {
      type: 'identity.idNumberReleased',
      aggregateType: 'account',
      aggregateId: other.id,
      regionCode: other.region_code,
      actor,
      payload: { toAccount: a.id, level },
    });
    if (other.mobile_enc)
      await ctx.notifier.send(trx, {
        channel: 'sms',
        to: cipher.decrypt(other.mobile_enc),
        subject: 'id-number-released',
        body: `【通办】您的账户 ${other.login} 登记的公民身份号码已由另一账户通过${level >= 3 ? '窗口现场' : '在线'}实名核验，已从您的账户移除。如该号码属于您本人，请携带居民身份证到政务服务大厅窗口办理。`,
      });
  }
  await setVerifiedIdNumber(
    trx,
    a.id,
    { enc: a.id_number_enc ?? cipher.encrypt(idNumber), hash },
    level,
    method,
    at,
  );
  await appendEvent(trx, ctx.clock, {
    type: 'identity.realNameVerified',
    aggregateType: 'account',
    aggregateId: a.id,
    regionCode: a.region_code,
    actor,
    payload: { level, method: method.split(':')[0] },
  });
}
