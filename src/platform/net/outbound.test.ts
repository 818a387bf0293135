import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseWebhookAllowNets } from '../../config/config.js';
import { allowListOf, guardedFetch, refusedAddress, refusedHostName } from './outbound.js';

describe('outbound requests to addresses others chose (webhooks)', () => {
  const sent: string[] = [];
  const fetchStub: typeof fetch = async (input) => {
    sent.push(String(input));
    return new Response('ok');
  };
  const resolvingTo =
    (...addresses: string[]) =>
    async () =>
      addresses.map((address) => ({ address }));

  test('never this machine, link-local (cloud metadata), unspecified or multicast', () => {
    for (const a of [
      '127.0.0.1',
      '127.9.9.9',
      '::1',
      '::ffff:127.0.0.1',
      '169.254.169.254',
      'fe80::1',
      '0.0.0.0',
      '::',
      '224.0.0.1',
    ])
      assert.ok(refusedAddress(a), a);
    assert.equal(refusedAddress('203.0.113.7'), undefined);
    assert.equal(refusedAddress('2001:db8::1'), undefined);
  });

  test('a private network only where the operator allows it', () => {
    for (const a of ['10.1.2.3', '172.20.0.1', '192.168.1.1', '100.64.0.1', 'fd00::1'])
      assert.match(refusedAddress(a) ?? '', /private/, a);
    const allow = allowListOf(parseWebhookAllowNets('10.20.0.0/16, 192.168.5.7, fd00::/8'));
    assert.equal(refusedAddress('10.20.3.4', allow), undefined);
    assert.equal(refusedAddress('192.168.5.7', allow), undefined);
    assert.equal(refusedAddress('fd00::9', allow), undefined);
    assert.ok(refusedAddress('10.21.0.1', allow));
    assert.ok(refusedAddress('192.168.5.8', allow));
    // an allow list never opens this machine or link-local
    const wide = allowListOf(parseWebhookAllowNets('0.0.0.0/0'));
    assert.ok(refusedAddress('127.0.0.1', wide));
    assert.ok(refusedAddress('169.254.169.254', wide));
    assert.throws(() => parseWebhookAllowNets('10.0.0.0/33'), /TONGBAN_WEBHOOK_ALLOW_NETS/);
    assert.throws(() => parseWebhookAllowNets('intranet'), /TONGBAN_WEBHOOK_ALLOW_NETS/);
  });

  test('names refused when registered: localhost and literal loopback or link-local', () => {
    for (const h of ['localhost', 'LOCALHOST', 'a.localhost', '127.0.0.1', '[::1]', '169.254.169.254'])
      assert.ok(refusedHostName(h), h);
    for (const h of ['consumer.example', '10.20.0.1', '203.0.113.7'])
      assert.equal(refusedHostName(h), false, h);
  });

  test('each delivery resolves the name and refuses when any address is refused (a name pointed at 127.0.0.1)', async () => {
    sent.length = 0;
    const f = guardedFetch({ lookup: resolvingTo('203.0.113.7', '127.0.0.1'), fetch: fetchStub });
    await assert.rejects(f('https://rebind.example/hook', { method: 'POST' }), /refused/);
    const g = guardedFetch({ lookup: resolvingTo('10.20.0.5'), fetch: fetchStub });
    await assert.rejects(g('https://intranet.example/hook'), /private/);
    assert.deepEqual(sent, []);
    const h = guardedFetch({
      lookup: resolvingTo('10.20.0.5'),
      fetch: fetchStub,
      allow: allowListOf(parseWebhookAllowNets('10.20.0.0/16')),
    });
    assert.equal((await h('https://intranet.example/hook')).status, 200);
    const i = guardedFetch({ lookup: resolvingTo('203.0.113.7'), fetch: fetchStub });
    assert.equal((await i('https://consumer.example/hook')).status, 200);
    await assert.rejects(
      guardedFetch({ lookup: resolvingTo('1.1.1.1'), fetch: fetchStub })('https://169.254.169.254/x'),
      /refused/,
    );
    assert.deepEqual(sent, ['https://intranet.example/hook', 'https://consumer.example/hook']);
  });
});
