import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addressKey } from './limits.js';

describe('rate-limit keys › a client is its address, an IPv6 client its /64', () => {
  const cases: Array<[string, string]> = [
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:0000:0000:0000:0009', '2001:db8:1:2::/64'],
    ['2001:db8::', '2001:db8:0:0::/64'],
    ['2001:db8::5:6:7:8', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
  ];
  for (const [ip, key] of cases) test(`${ip} → ${key}`, () => assert.equal(addressKey(ip), key));
  test('two addresses of one /64 share a key; the next /64 does not', () => {
    assert.equal(addressKey('2001:db8:1:2::a'), addressKey('2001:db8:1:2:ffff::b'));
    assert.notEqual(addressKey('2001:db8:1:2::a'), addressKey('2001:db8:1:3::a'));
  });
});
