import { translator } from '../../platform/i18n/index.js';
import type { Consumer, EventRecord } from '../../platform/events/index.js';
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
  type Message = { channel: 'sms'; to: string; subject: string; body: string };
  return {
    name: 'cases.notifications',
    batchSize: 500,
    /**
     * A batch in a few statements, whatever its size: the cases it tells about read together, the
     * applicants' mobiles together, the messages sent together, in the events' order. One by one
     * it was three round trips a notice, and under load on PostgreSQL the consumers' round fell
     * seconds behind the requests (issue 17).
     */
    async handle(trx, events: EventRecord[]) {
      const told = events.filter(
        (e) =>
          e.aggregateType === 'case' &&
          (TOLD.has(e.type) || (typeof e.payload.bundleId === 'string' && CLOSING.has(e.type))),
      );
      if (told.length === 0) return;
      const numberOf = (e: EventRecord) => String(e.payload.caseNumber ?? e.aggregateId);
      const rows = new Map(
        (await st.caseFactRows(trx, [...new Set(told.map(numberOf))])).map((r) => [r.case_number, r]),
      );
      const ids = [...new Set([...rows.values()].map((r) => r.applicant_id))];
      const contacts = deps.identity.contacts
        ? await deps.identity.contacts(ids, trx)
        : new Map<string, { mobile: string | null }>();
      const out: Message[] = [];
      const tell = (accountId: string, caseNumber: string, body: string) => {
        const to = contacts.get(accountId)?.mobile;
        if (to) out.push({ channel: 'sms', to, subject: t('cases.notify.subject', { caseNumber }), body });
      };
      for (const e of told) {
        const caseNumber = numberOf(e);
        const row = rows.get(caseNumber);
        if (!row) continue;
        if (typeof e.payload.bundleId !== 'string') {
          // the case number lets the applicant find the case; no personal data in the text
          tell(
            row.applicant_id,
            caseNumber,
            `${caseNumber} ${row.item_name}：${t(`cases.status.${TOLD.get(e.type)}`)}`,
          );
          continue;
        }
        if (!CLOSING.has(e.type)) continue;
        if ((await st.openCasesInBundle(trx, e.payload.bundleId)) > 0) continue;
        const b = await st.bundleById(trx, e.payload.bundleId);
        // once per bundle, however many closing events arrive together or later
        if (
          b &&
          (await st.recordWarning(
            trx,
            e.payload.bundleId,
            'bundleNotice',
            row.decide_region_code,
            e.createdAt,
          ))
        )
          tell(row.applicant_id, b.bundle_number, `${b.bundle_name}：${t('cases.bundle.complete')}`);
      }
      await deps.notifier.sendAll(trx, out);
    },
  };
}
