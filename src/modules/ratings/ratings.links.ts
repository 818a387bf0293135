/**
 * The one-time rating link (SMS after 受理 / 办结, or the QR the window pad shows): no login. The
 * token is `<link id>.<expiry, epoch seconds>.<HMAC-SHA256 of both>` under a key derived from the
 * master secret, so a forged or altered token is refused before the store is read; the stored
 * row makes it single-use (taken in the rating's own transaction) and ties it to its case, stage,
 * channel, window and clerk. docs/adr (the SMS link and the one-per-stage rule).
 */
import { DomainError, newId } from '../../kernel/index.js';
import { type Principal, allows } from '../../platform/access.js';
import type { Executor } from '../../platform/db/index.js';
import type { RatingsContext } from './ratings.context.js';
import * as st from './ratings.store.js';

export interface IssuedLink {
  readonly token: string;
  readonly url: string;
  readonly expiresAt: string;
}

export interface LinkRequest {
  caseNumber: string;
  stage: 'accepted' | 'completed';
  channel: 'sms' | 'window';
  regionCode: string;
  windowCode?: string | null;
  clerkId?: string | null;
}

/** A link's stored row and its signed token. */
function linkOf(ctx: RatingsContext, l: LinkRequest, now: Date): { row: st.LinkRow; link: IssuedLink } {
  const exp = Math.floor(now.getTime() / 1000) + ctx.settings.linkTtlDays * 86_400;
  const id = newId();
  const expiresAt = new Date(exp * 1000).toISOString();
  const token = `${id}.${exp}.${ctx.sign(`${id}.${exp}`)}`;
  return {
    row: {
      id,
      case_number: l.caseNumber,
      stage: l.stage,
      channel: l.channel,
      window_code: l.windowCode ?? null,
      clerk_id: l.clerkId ?? null,
      region_code: l.regionCode,
      expires_at: expiresAt,
      used_at: null,
      created_at: now.toISOString(),
    },
    link: { token, url: `${ctx.publicUrl}/r/${token}`, expiresAt },
  };
}

export async function issueLink(ctx: RatingsContext, trx: Executor, l: LinkRequest): Promise<IssuedLink> {
  const { row, link } = linkOf(ctx, l, ctx.clock.now());
  await st.insertLink(trx, row);
  return link;
}

/** {@link issueLink} for several, stored with one statement per 64 (the outbox consumer's batch); in order. */
export async function issueLinks(
  ctx: RatingsContext,
  trx: Executor,
  ls: readonly LinkRequest[],
): Promise<IssuedLink[]> {
  const now = ctx.clock.now();
  const made = ls.map((l) => linkOf(ctx, l, now));
  await st.insertLinks(
    trx,
    made.map((m) => m.row),
  );
  return made.map((m) => m.link);
}

const TOKEN = /^([0-9a-f-]{36})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

/** The link a token names: signature and expiry first, then the stored row (not yet used). */
export async function resolveLink(ctx: RatingsContext, token: string): Promise<st.LinkRow> {
  const m = TOKEN.exec(token);
  if (!m || !ctx.verify(`${m[1]}.${m[2]}`, m[3]!)) throw new DomainError('RATINGS.LINK_INVALID');
  if (Number(m[2]) * 1000 <= ctx.clock.now().getTime()) throw new DomainError('RATINGS.LINK_EXPIRED');
  const row = await st.linkById(ctx.db, m[1]!);
  if (!row) throw new DomainError('RATINGS.LINK_INVALID');
  if (row.used_at) throw new DomainError('RATINGS.LINK_USED');
  return row;
}

/**
 * The window pad's QR (一次一评): a clerk of the hall that received the case issues a link for a
 * stage the case has reached, tied to the window and to the clerk; the applicant rates on their
 * own phone.
 */
export async function issueWindowLink(
  ctx: RatingsContext,
  caseNumber: string,
  input: { stage: 'accepted' | 'completed'; window: string },
  p: Principal,
): Promise<IssuedLink> {
  const c = await ctx.ports.cases.facts(caseNumber);
  if (!c?.hallId || !c.hallRegionCode || !allows(p, 'cases.accept', { regionCode: c.hallRegionCode }))
    throw new DomainError('RATINGS.CASE_NOT_FOUND');
  if (!(input.stage === 'accepted' ? c.acceptedReached : c.completedReached))
    throw new DomainError('RATINGS.STAGE_NOT_REACHED', { params: { stage: input.stage } });
  return issueLink(ctx, ctx.db, {
    caseNumber,
    stage: input.stage,
    channel: 'window',
    regionCode: c.regionCode,
    windowCode: input.window,
    clerkId: p.accountId,
  });
}

/** What the link's page shows: the case (no personal data) and the stage the link is for. */
export async function linkView(ctx: RatingsContext, token: string) {
  const link = await resolveLink(ctx, token);
  const c = await ctx.ports.cases.facts(link.case_number);
  if (!c) throw new DomainError('RATINGS.LINK_INVALID');
  return { link, case: c };
}
