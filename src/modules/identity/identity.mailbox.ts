import { type Clock, newId } from '../../kernel/index.js';
import { maskEmail, maskMobile } from '../../platform/privacy/index.js';
import type { IdentityContext, Notification, Notifier } from './identity.context.js';
import { type NotificationRow, insertNotifications, latestNotifications } from './identity.store.js';

/** Keeps notifications in a table that /dev/mailbox shows (development and test only). */
export function devMailboxNotifier(clock: Clock): Notifier {
  const row = (n: Notification, at: string): NotificationRow => ({
    id: newId(),
    channel: n.channel,
    recipient_masked: n.channel === 'sms' ? maskMobile(n.to) : maskEmail(n.to),
    subject: n.subject,
    body: n.body,
    created_at: at,
  });
  return {
    async send(trx, n) {
      await insertNotifications(trx, [row(n, clock.now().toISOString())]);
    },
    async sendAll(trx, ns) {
      const at = clock.now().toISOString();
      await insertNotifications(
        trx,
        ns.map((n) => row(n, at)),
      );
    },
  };
}

/** What the dev mailbox shows: the latest messages, newest first, recipients masked. */
export async function notifications(ctx: IdentityContext, limit = 50): Promise<NotificationRow[]> {
  return latestNotifications(ctx.db, limit);
}
