/**
 * The ratings module's work downstream of the outbox. One consumer (exactly once per event, in
 * its own transaction):
 *  - after 受理 and after 办结 it issues a one-time rating link for that stage and texts it to the
 *    applicant (一事一评 reaches people who never open the case page);
 *  - after an answer to a 12345 ticket it queues the answer for the hotline system.
 * The delivery worker posts queued answers, retries with back-off and records every attempt.
 */
import { newId } from '../../kernel/index.js';
import type { Executor } from '../../platform/db/index.js';
import type { Consumer, EventRecord } from '../../platform/events/index.js';
import { translator } from '../../platform/i18n/index.js';
import type { Logger } from '../../platform/log.js';
import { postDelivery } from '../../platform/net/outbound.js';
import type { RatingsContext } from './ratings.context.js';
import type { RatedCase } from './ratings.ports.js';
import { RATINGS_EVENTS } from './ratings.events.js';
import { issueLinks } from './ratings.links.js';
import * as st from './ratings.store.js';

const STAGE_OF = new Map<string, 'accepted' | 'completed'>([
  ['cases.accepted', 'accepted'],
  ['cases.acceptedWithDeficiency', 'accepted'],
  ['cases.acceptedWithCommitment', 'accepted'],
  ['cases.completed', 'completed'],
]);

export function ratingsConsumer(ctx: RatingsContext): Consumer {
  const t = translator('zh-CN');
  return {
    name: 'ratings.outbox',
    batchSize: 500,
    async handle(trx, events: EventRecord[]) {
      await textLinks(ctx, trx, events, t);
      for (const e of events) {
        if (e.type === RATINGS_EVENTS.complaintAnswered && ctx.settings.hotlineAnswerUrl) {
          const c = await st.complaintByNumber(trx, String(e.payload.complaintNumber));
          if (c?.channel !== '12345' || !c.ticket) continue;
          await st.insertDelivery(trx, {
            id: newId(),
            complaint_number: c.complaint_number,
            region_code: c.region_code,
            url: ctx.settings.hotlineAnswerUrl,
            // the answer posted back, sealed at rest until then (opened by the delivery worker)
            body: ctx.text.seal(
              JSON.stringify({
                ticket: c.ticket,
                complaintNumber: c.complaint_number,
                answer: c.answer === null ? null : ctx.text.open(c.answer),
                answeredAt: c.answered_at,
                onTime: c.on_time === 1,
              }),
            ),
            attempts: 0,
            next_at: e.createdAt,
            delivered_at: null,
            last_status: null,
            last_error: null,
            created_at: e.createdAt,
          });
        }
      }
    },
  };
}

/**
 * The rating links of a batch's 受理 and 办结 events, texted to the applicants: the cases read
 * together, their applicants' mobiles together, the links stored and the messages sent together
 * (in the events' order). One by one it was five round trips a link, and under load on
 * PostgreSQL the consumers' round fell seconds behind the requests (issue 17).
 */
async function textLinks(
  ctx: RatingsContext,
  trx: Executor,
  events: readonly EventRecord[],
  t: ReturnType<typeof translator>,
): Promise<void> {
  const { notifier, identity } = ctx.ports;
  if (!notifier || !identity) return;
  const staged = events.flatMap((e) => {
    const stage = STAGE_OF.get(e.type);
    return stage ? [{ caseNumber: String(e.payload.caseNumber ?? e.aggregateId), stage }] : [];
  });
  if (staged.length === 0) return;
  const numbers = [...new Set(staged.map((s) => s.caseNumber))];
  const facts = new Map<string, RatedCase>();
  if (ctx.ports.cases.factsMany)
    for (const c of await ctx.ports.cases.factsMany(numbers, trx)) facts.set(c.caseNumber, c);
  else
    for (const n of numbers) {
      const c = await ctx.ports.cases.facts(n, trx);
      if (c) facts.set(n, c);
    }
  const applicants = [...new Set([...facts.values()].map((c) => c.applicantId))];
  const contacts = await identity.contacts(applicants, trx);
  const texted = staged.flatMap((s) => {
    const c = facts.get(s.caseNumber);
    const mobile = c ? contacts.get(c.applicantId)?.mobile : undefined;
    return c && mobile ? [{ ...s, regionCode: c.regionCode, mobile }] : [];
  });
  if (texted.length === 0) return;
  const links = await issueLinks(
    ctx,
    trx,
    texted.map((x) => ({
      caseNumber: x.caseNumber,
      stage: x.stage,
      channel: 'sms',
      regionCode: x.regionCode,
    })),
  );
  // the case number and the link: no personal data in the text
  const messages = texted.map((x, i) => ({
    channel: 'sms' as const,
    to: x.mobile,
    subject: t('ratings.sms.subject', { caseNumber: x.caseNumber }),
    body: t(`ratings.sms.body.${x.stage}`, { caseNumber: x.caseNumber, url: links[i]!.url }),
  }));
  await notifier.sendAll(trx, messages);
}

export { retryDelayMs } from '../../platform/net/outbound.js';

/** Posts the answers that are due; each attempt recorded (status, error, next try). */
export async function deliverDue(
  ctx: RatingsContext,
  log: Logger,
  fetchImpl: typeof fetch = fetch,
  limit = 50,
): Promise<{ delivered: number; failed: number }> {
  const now = ctx.clock.now();
  const due = await st.dueDeliveries(ctx.db, now.toISOString(), limit);
  let delivered = 0;
  let failed = 0;
  for (const d of due) {
    const r = await postDelivery(
      fetchImpl,
      { ...d, body: ctx.text.open(d.body) },
      {
        headers: ctx.settings.hotlineAnswerToken
          ? { authorization: `Bearer ${ctx.settings.hotlineAnswerToken}` }
          : {},
      },
      () => ctx.clock.now(),
    );
    await st.recordAttempt(ctx.db, d.id, r);
    const { attempts, last_status: status, last_error: error } = r;
    if (error) {
      failed++;
      log.warn(
        { complaint: d.complaint_number, attempts, status },
        'ratings: 12345 answer not delivered, will retry',
      );
    } else delivered++;
  }
  return { delivered, failed };
}
