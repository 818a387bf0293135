import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Notification, batchNotifier } from './identity.context.js';

const m = (i: number): Notification => ({
  channel: 'sms',
  to: `1380000000${i}`,
  subject: `s${i}`,
  body: `b${i}`,
});

test('a notifier with only send sends a batch one by one, in order', async () => {
  const sent: Notification[] = [];
  const n = batchNotifier({ send: async (_db, x) => void sent.push(x) });
  await n.sendAll({} as never, [m(1), m(2), m(3)]);
  assert.deepEqual(sent, [m(1), m(2), m(3)]);
});

test('a notifier with its own sendAll keeps it (one call for the batch)', async () => {
  const calls: Notification[][] = [];
  const own = {
    send: async () => assert.fail('one by one'),
    sendAll: async (_db: never, ns: readonly Notification[]) => void calls.push([...ns]),
  };
  await batchNotifier(own).sendAll({} as never, [m(1), m(2)]);
  assert.deepEqual(calls, [[m(1), m(2)]]);
});
