import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verifyScript } from './ledger.browser.js';
import { inclusionProof, leafHash, rootOf } from './ledger.merkle.js';

/** Runs the page script against a stub page holding the proof, and returns what it announced. */
async function runInStubPage(data: Record<string, string>): Promise<{ text: string; hidden: boolean }> {
  const out = { textContent: '', hidden: true, className: '' };
  const document = {
    querySelector: (sel: string) => (sel === '[data-log-proof]' ? { dataset: data } : null),
    getElementById: (id: string) => (id === 'browser-check' ? out : null),
  };
  const window = { crypto: globalThis.crypto, TextEncoder };
  new Function('document', 'window', 'crypto', 'atob', verifyScript)(
    document,
    window,
    globalThis.crypto,
    atob,
  );
  for (let i = 0; i < 100 && out.hidden; i++) await new Promise((r) => setTimeout(r, 5));
  return { text: out.textContent, hidden: out.hidden };
}

test('verification for people › the browser script recomputes an RFC 6962 proof and catches a wrong root', async () => {
  const entries = Array.from({ length: 13 }, (_, i) => `{"v":1,"n":${i}}`);
  const leaves = entries.map((e) => leafHash(Buffer.from(e, 'utf8')));
  const src = async (h: number, i: number) => rootOf(leaves.slice(i * 2 ** h, (i + 1) * 2 ** h));
  const index = 9;
  const hashes = (await inclusionProof(src, index, 13)).map((h) => h.toString('base64'));
  const base = {
    index: String(index),
    size: '13',
    entry: entries[index]!,
    hashes: JSON.stringify(hashes),
    okText: 'OK',
    failText: 'FAILED',
  };
  assert.equal((await runInStubPage({ ...base, root: rootOf(leaves).toString('base64') })).text, 'OK');
  assert.equal(
    (await runInStubPage({ ...base, root: rootOf(leaves.slice(0, 12)).toString('base64') })).text,
    'FAILED',
  );
});
