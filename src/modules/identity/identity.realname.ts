import { DomainError } from '../../kernel/index.js';
import type { Principal } from '../../platform/access.js';
import { inTransaction } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import { type IdentityContext, isoIn } from './identity.context.js';
import { type AccountRow, accountById, accountByIdHash, setRealNameLevel } from './identity.store.js';
import type { RealNameFactors, RealNameLevel } from './identity.types.js';

/** L2: the ID number plus at least two more factors, checked by the verifier. */
export async function verifyRealName(
  ctx: IdentityContext,
  accountId: string,
  factors: RealNameFactors,
): Promise<RealNameLevel> {
  const a = await accountById(ctx.db, accountId);
  if (a?.kind !== 'person' || !a.id_number_enc) throw new DomainError('IDENTITY.NOT_FOUND');
  const given = Object.fromEntries(
    Object.entries(factors).filter(([, v]) => typeof v === 'string' && v.trim() !== ''),
  ) as RealNameFactors;
  if (Object.keys(given).length < 2) throw new DomainError('IDENTITY.VERIFICATION_FACTORS');
  const ok = await ctx.verifier.verify({
    name: a.name,
    idNumber: ctx.cipher.decrypt(a.id_number_enc),
    factors: given,
  });
  if (!ok) throw new DomainError('IDENTITY.VERIFICATION_FAILED');
  if (a.real_name_level >= 2) return a.real_name_level as RealNameLevel;
  await setLevel(ctx, a, 2, `online:${Object.keys(given).sort().join('+')}`, a.id);
  return 2;
}

/** L3: a clerk saw the person and their ID card at a hall or kiosk. */
export async function verifyInPerson(
  ctx: IdentityContext,
  clerk: Principal,
  idNumber: string,
): Promise<void> {
  const a = await accountByIdHash(ctx.db, ctx.cipher.lookupHash('idNumber', idNumber.trim().toUpperCase()));
  if (!a) throw new DomainError('IDENTITY.NOT_FOUND');
  await setLevel(ctx, a, 3, 'in-person', clerk.accountId);
}

async function setLevel(
  ctx: IdentityContext,
  a: AccountRow,
  level: RealNameLevel,
  method: string,
  actor: string,
): Promise<void> {
  await inTransaction(ctx.db, async (trx) => {
    await setRealNameLevel(trx, a.id, level, method, isoIn(ctx));
    await appendEvent(trx, ctx.clock, {
      type: 'identity.realNameVerified',
      aggregateType: 'account',
      aggregateId: a.id,
      regionCode: a.region_code,
      actor,
      payload: { level, method: method.split(':')[0] },
    });
  });
}
