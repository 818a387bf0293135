import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canonicalJson, decodeBundle, encodeBundle } from './ledger.entry.js';
import {
  SIG_COSIGNATURE_V1,
  SIG_ED25519,
  cosignatureLine,
  formatCheckpoint,
  formatVerifierKey,
  generateKey,
  parseCheckpoint,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  verifyCosignature,
  verifyNote,
} from './ledger.note.js';

// The example of golang.org/x/mod/sumdb/note (the reference implementation of signed notes):
// its key pair, its text and the note it signs (data only). Ed25519 is deterministic, so signing
// the text with the key must give the published note byte for byte.
const GO_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE = `${GO_TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;
// The example of the C2SP signed-note specification (verify only: its private key is not published).
const SPEC_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const SPEC_NOTE =
  'This is an example message.\n\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';

describe('C2SP signed-note', () => {
  test('signed-note › the Go reference key pair and note are reproduced byte for byte', () => {
    const s = parseSignerKey(GO_SKEY);
    assert.ok(s);
    assert.equal(formatVerifierKey(s.name, SIG_ED25519, s.key.publicKey), GO_VKEY);
    assert.equal(signNote(GO_TEXT, s.name, s.key), GO_NOTE);
    const v = parseVerifierKey(GO_VKEY);
    assert.ok(v);
    assert.equal(v.keyId.toString('hex'), 'c74f20a3');
    assert.ok(verifyNote(parseNote(GO_NOTE)!, v));
  });

  test('signed-note › the specification example verifies; a changed body or key does not', () => {
    const v = parseVerifierKey(SPEC_VKEY)!;
    const note = parseNote(SPEC_NOTE)!;
    assert.equal(note.body, 'This is an example message.\n');
    assert.ok(verifyNote(note, v));
    assert.equal(verifyNote({ ...note, body: 'This is an example message!\n' }, v), false);
    assert.equal(verifyNote(note, parseVerifierKey(GO_VKEY)!), false);
  });

  test('signed-note › malformed verifier keys and notes are refused', () => {
    assert.equal(
      parseVerifierKey('PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'),
      undefined,
    );
    assert.equal(
      parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'),
      undefined,
    );
    assert.equal(parseVerifierKey('PeterNeumann+c74f20a3'), undefined);
    assert.equal(parseNote('no signature\n'), undefined);
    assert.equal(parseNote('body\n\nnot a signature line\n'), undefined);
  });
});

describe('C2SP tlog-checkpoint', () => {
  test('tlog-checkpoint › origin, size and root round-trip; bad bodies are refused', () => {
    const c = { origin: 'example.com/log', size: 20852163, rootHash: Buffer.alloc(32, 7), extensions: [] };
    const body = formatCheckpoint(c);
    assert.equal(body, `example.com/log\n20852163\n${Buffer.alloc(32, 7).toString('base64')}\n`);
    assert.deepEqual(parseCheckpoint(body), c);
    assert.equal(parseCheckpoint('example.com/log\n012\nAAAA\n'), undefined);
    assert.equal(parseCheckpoint('example.com/log\n12\n'), undefined);
  });
});

describe('C2SP tlog-cosignature', () => {
  const CP = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';

  test('tlog-cosignature › key ID uses type 0x04, the line carries a big-endian timestamp, and it verifies', () => {
    const k = generateKey();
    const vkey = parseVerifierKey(
      formatVerifierKey('witness.example.com/w1', SIG_COSIGNATURE_V1, k.publicKey),
    )!;
    const line = cosignatureLine(CP, 'witness.example.com/w1', k, 1679315147);
    const s = parseNote(`${CP}\n${line}`)!.signatures[0]!;
    assert.equal(s.signature.length, 72);
    assert.equal(s.signature.readBigUInt64BE(0), 1679315147n);
    assert.equal(verifyCosignature(CP, s, vkey), 1679315147);
    assert.equal(verifyCosignature(CP.replace('20852163', '20852164'), s, vkey), undefined);
  });

  test('tlog-cosignature › the example cosignature line of the specification has the v1 shape', () => {
    // jWbPPw… decodes to a 4-byte key ID, an 8-byte timestamp and a 64-byte signature
    const raw = Buffer.from(
      'jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==',
      'base64',
    );
    assert.equal(raw.length, 76);
    assert.equal(raw.readBigUInt64BE(4), 1679315147n);
  });
});

describe('entries', () => {
  test('canonical JSON › keys sorted, no whitespace', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [1, 'x'], c: null } }), '{"a":{"c":null,"d":[1,"x"]},"b":1}');
  });

  test('tlog-tiles › entry bundles are uint16 big-endian length-prefixed entries', () => {
    const b = encodeBundle([Buffer.from('a'), Buffer.alloc(0), Buffer.from('xyz')]);
    assert.equal(b.toString('hex'), '0001610000000378797a');
    assert.deepEqual(
      decodeBundle(b)?.map((x) => x.toString()),
      ['a', '', 'xyz'],
    );
    assert.equal(decodeBundle(b.subarray(0, b.length - 1)), undefined);
  });
});
