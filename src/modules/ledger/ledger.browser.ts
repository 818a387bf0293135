/**
 * The script /log/verify.js: re-checks the inclusion proof shown on /log/verify in the reader's own
 * browser (WebCrypto SHA-256, RFC 9162 §2.1.3.2), so trusting the server's "verified" is not needed.
 * An enhancement only: the page says what the server found without it. Kept as a string so it is
 * served as written, without a build step.
 */
export const verifyScript = `(() => {
  const box = document.querySelector('[data-log-proof]');
  if (!box || !window.crypto || !window.crypto.subtle || !window.TextEncoder) return;
  const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const sha = async (parts) => {
    const len = parts.reduce((n, p) => n + p.length, 0);
    const buf = new Uint8Array(len);
    let o = 0;
    for (const p of parts) { buf.set(p, o); o += p.length; }
    return new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
  };
  const eq = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  (async () => {
    const d = box.dataset;
    let fn = Number(d.index), sn = Number(d.size) - 1;
    let r = await sha([Uint8Array.of(0), new TextEncoder().encode(d.entry)]);
    for (const h of JSON.parse(d.hashes).map(b64)) {
      if (sn === 0) { r = new Uint8Array(0); break; }
      if (fn % 2 === 1 || fn === sn) {
        r = await sha([Uint8Array.of(1), h, r]);
        if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      } else r = await sha([Uint8Array.of(1), r, h]);
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    const ok = sn === 0 && eq(r, b64(d.root));
    const out = document.getElementById('browser-check');
    if (out) { out.textContent = ok ? d.okText : d.failText; out.hidden = false; out.className = ok ? 'notice notice-success' : 'notice notice-warning'; }
  })();
})();
`;
