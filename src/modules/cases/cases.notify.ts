import { translator } from '../../platform/i18n/index.js';
import type { Consumer, EventRecord } from '../../platform/events/index.js';
import type { Executor } from '../../platform/db/index.js';
import type { IdentityPort, NotifierPort } from './cases.ports.js';
import * as st from './cases.store.js';

/** Events the applicant is told about (each a step they are waiting for). */
const TOLD = new Map<string, string>([
  ['cases.accepted', 'accepted'],
  ['cases.acceptedWithDeficiency', 'accepted'],
  ['cases.acceptedWithCommitment', 'accepted'],
  ['cases.supplementRequested', 'awaitingSupplement'],
  ['cases.refused', 'refused'],
  ['cases.approved', 'approved'],
  ['cases.rejected', 'rejected'],
  ['cases.resultIssued', 'resultIssued'],
]);
/** Closing events: a bundle's one result notice goes out when its last sub-case closes. */
const CLOSING = new Set(['cases.completed', 'cases.refused', 'cases.withdrawn']);

/**
 * Notifications through the outbox: a consumer reads the case events and sends the applicant an
 * SMS (the notifier is identity's: an SMS gateway in production, the dev mailbox elsewhere). A
 * 一件事 bundle gets one notice when all its sub-cases are closed, not one per department.
 * Messages carry the case number and the status, never personal data.
 */
export function notificationsConsumer(deps: { identity: IdentityPort; notifier: NotifierPort }): Consumer {
  const t = translator('zh-CN');
  async function tell(trx: Executor, accountId: string, caseNumber: string, body: string) {
    const c = await deps.identity.contact?.(accountId, trx);
    if (!c?.mobile) return;
    await deps.notifier.send(trx, {
      channel: 'sms',
      to: c.mobile,
      subject: t('cases.notify.subject', { caseNumber }),
      body,
    });
  }
  return {
    name: 'cases.notifications',
    batchSize: 200,
    async handle(trx, events: EventRecord[]) {
      for (const e of events) {
        if (e.aggregateType !== 'case') continue;
        const caseNumber = String(e.payload.caseNumber ?? e.aggregateId);
        const bundled = typeof e.payload.bundleId === 'string';
        if (!TOLD.has(e.type) && !(bundled && CLOSING.has(e.type))) continue;
        const row = await st.caseFactRow(trx, caseNumber);
        if (!row) continue;
        if (!bundled) {
          await tell(
            trx,
            row.applicant_id,
            caseNumber,
            // the case number lets the applicant find the case; no personal data in the text
            `${caseNumber} ${row.item_name}：${t(`cases.status.${TOLD.get(e.type)}`)}`,
          );
          continue;
        }
        if (!CLOSING.has(e.type)) continue;
        if ((await st.openCasesInBundle(trx, e.payload.bundleId as string)) > 0) continue;
        const b = await st.bundleById(trx, e.payload.bundleId as string);
        // once per bundle, however many closing events arrive together or later
        if (
          b &&
          (await st.recordWarning(
            trx,
            e.payload.bundleId as string,
            'bundleNotice',
            row.decide_region_code,
            e.createdAt,
          ))
        )
          await tell(
            trx,
            row.applicant_id,
            b.bundle_number,
            `${b.bundle_name}：${t('cases.bundle.complete')}`,
          );
      }
    },
  };
}
