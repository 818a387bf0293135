import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { sm2 as smCrypto } from 'sm-crypto-v2';
import {
  SM2_DEFAULT_ID,
  generateSm2KeyPair,
  parseDerSignature,
  privateKeyFromPem,
  privateKeyToPem,
  publicKeyFromPem,
  publicKeyToPem,
  sm2Sign,
  sm2Verify,
} from './sm2.js';

const dir = mkdtempSync(join(tmpdir(), 'tongban-sm2-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, data?: string | Uint8Array): string => {
  const p = join(dir, name);
  if (data !== undefined) writeFileSync(p, data);
  return p;
};
const openssl = (...args: string[]): string =>
  execFileSync('openssl', args, { encoding: 'utf8', stdio: 'pipe' });

describe('SM2 with SM3 and the default distinguishing id (GB/T 32918.2, GB/T 35276)', () => {
  const keys = generateSm2KeyPair();
  const message = Buffer.from('{"identifier":"1.2.156.3005.2","name":"营业执照"}', 'utf8');

  test('the machine has an openssl that knows SM2 and distid', () => {
    assert.match(openssl('version'), /OpenSSL 3\./);
    assert.match(openssl('list', '-public-key-algorithms'), /SM2/);
  });

  test('a platform signature verifies with the openssl CLI (dgst -sm3 -sigopt distid)', () => {
    const sig = sm2Sign(message, keys);
    const out = openssl(
      'dgst',
      '-sm3',
      '-verify',
      file('pub.pem', publicKeyToPem(keys.publicKey)),
      '-sigopt',
      `distid:${SM2_DEFAULT_ID}`,
      '-signature',
      file('sig.der', sig),
      file('msg.bin', message),
    );
    assert.match(out, /Verified OK/);
  });

  test('openssl refuses the platform signature once one byte of the message changes', () => {
    const sig = sm2Sign(message, keys);
    const tampered = Buffer.from(message);
    tampered[5] = tampered[5]! ^ 1;
    assert.throws(() =>
      openssl(
        'dgst',
        '-sm3',
        '-verify',
        file('pub2.pem', publicKeyToPem(keys.publicKey)),
        '-sigopt',
        `distid:${SM2_DEFAULT_ID}`,
        '-signature',
        file('sig2.der', sig),
        file('msg2.bin', tampered),
      ),
    );
  });

  test('an openssl signature (key made by openssl genpkey) verifies with the platform', () => {
    const keyFile = file('openssl-key.pem');
    openssl('genpkey', '-algorithm', 'SM2', '-out', keyFile);
    const sigFile = file('openssl-sig.der');
    openssl(
      'dgst',
      '-sm3',
      '-sign',
      keyFile,
      '-sigopt',
      `distid:${SM2_DEFAULT_ID}`,
      '-out',
      sigFile,
      file('msg3.bin', message),
    );
    const pubFile = file('openssl-pub.pem');
    openssl('pkey', '-in', keyFile, '-pubout', '-out', pubFile);
    const pub = publicKeyFromPem(readFileSync(pubFile, 'utf8'));
    assert.equal(pub, privateKeyFromPem(readFileSync(keyFile, 'utf8')).publicKey);
    assert.equal(sm2Verify(message, readFileSync(sigFile), pub), true);
    assert.equal(sm2Verify(Buffer.concat([message, Buffer.from(' ')]), readFileSync(sigFile), pub), false);
  });

  test('openssl signs with the platform-exported private key PEM; the platform verifies', () => {
    const sigFile = file('rev-sig.der');
    openssl(
      'dgst',
      '-sm3',
      '-sign',
      file('priv.pem', privateKeyToPem(keys)),
      '-sigopt',
      `distid:${SM2_DEFAULT_ID}`,
      '-out',
      sigFile,
      file('msg4.bin', message),
    );
    assert.equal(sm2Verify(message, readFileSync(sigFile), keys.publicKey), true);
  });

  test('a signature made with another distinguishing id does not verify (the id is bound in Z_A)', () => {
    const sigFile = file('other-id.der');
    openssl(
      'dgst',
      '-sm3',
      '-sign',
      file('priv5.pem', privateKeyToPem(keys)),
      '-sigopt',
      'distid:ALICE123@YAHOO.COM',
      '-out',
      sigFile,
      file('msg5.bin', message),
    );
    assert.equal(sm2Verify(message, readFileSync(sigFile), keys.publicKey), false);
  });

  test('an independent implementation (sm-crypto-v2) agrees both ways', () => {
    const sig = sm2Sign(message, keys);
    assert.equal(
      smCrypto.doVerifySignature(message, sig.toString('hex'), keys.publicKey, { der: true, hash: true }),
      true,
    );
    const theirs = smCrypto.doSignature(message, keys.privateKey, {
      der: true,
      hash: true,
      publicKey: keys.publicKey,
    });
    assert.equal(sm2Verify(message, Buffer.from(theirs, 'hex'), keys.publicKey), true);
  });

  test('malformed input gives false, never a throw: bad DER, trailing bytes, wrong key', () => {
    const sig = sm2Sign(message, keys);
    assert.equal(sm2Verify(message, Buffer.from('3000', 'hex'), keys.publicKey), false);
    assert.equal(sm2Verify(message, Buffer.concat([sig, Buffer.from([0])]), keys.publicKey), false);
    assert.equal(sm2Verify(message, sig, generateSm2KeyPair().publicKey), false);
    assert.equal(sm2Verify(message, sig, 'nothex'), false);
    assert.equal(parseDerSignature(Buffer.from('300602010002010', 'hex')), undefined);
  });
});
