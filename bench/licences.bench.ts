import { execFileSync } from 'node:child_process';
import { PDFDocument } from 'pdf-lib';
import { generateSm2KeyPair, sm2Sign, sm2Verify } from '../src/platform/crypto/index.js';
import { translator } from '../src/platform/i18n/index.js';
import { licencesMessages } from '../src/modules/licences/licences.messages.js';
import { renderLicencePdf } from '../src/modules/licences/licences.pdf.js';
import { addMessages } from '../src/platform/i18n/index.js';
import { fmt, machine, median } from './lib.js';

/**
 * E-licences: SM2 sign and verify per second on one core (the platform: sm-crypto-v2 point
 * arithmetic with node:crypto SM3 and a cached Z_A and public-key table) beside `openssl speed
 * -seconds 3 sm2` measured in the same run, interleaved so both see the same machine load; and
 * the time to render one licence PDF (font subset + embed + seal + QR).
 *
 * RUNS (default 5) runs of SECONDS (default 1) each; OPENSSL_RUNS (default 3).
 */
const RUNS = Number(process.env.RUNS ?? 5);
const SECONDS = Number(process.env.SECONDS ?? 1);
const OPENSSL_RUNS = Number(process.env.OPENSSL_RUNS ?? 3);

// a licence's canonical metadata is ≈ 900 bytes; sign the same size
const message = Buffer.from(JSON.stringify({ pad: 'x'.repeat(880) }));
const keys = generateSm2KeyPair();

/**
 * Operations per second of CPU user time. `openssl speed` divides by user CPU time too (unless
 * given -elapsed), so on a shared machine both sides are measured the same way: time this
 * process actually ran, not wall time it spent waiting for a core.
 */
const userSeconds = (): number => process.cpuUsage().user / 1e6;
function rate(fn: () => void): number {
  let n = 0;
  const start = userSeconds();
  while (userSeconds() - start < SECONDS) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
  }
  return n / (userSeconds() - start);
}

function opensslSpeed(): { sign: number; verify: number } {
  const out = execFileSync('openssl', ['speed', '-seconds', '3', 'sm2'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const line = out.split('\n').find((l) => /SM2/.test(l) && /\d+\.\d+\s+\d+\.\d+\s*$/.test(l));
  const m = line ? /([\d.]+)\s+([\d.]+)\s*$/.exec(line) : null;
  if (!m) throw new Error(`cannot parse openssl speed output:\n${out}`);
  return { sign: Number(m[1]), verify: Number(m[2]) };
}

console.log(`licences bench — ${machine()}; ${RUNS} runs of ${SECONDS}s, openssl ${OPENSSL_RUNS} × 3s`);
console.log(execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim());

const sig = sm2Sign(message, keys);
if (!sm2Verify(message, sig, keys.publicKey)) throw new Error('self-check failed');
for (let i = 0; i < 200; i++) sm2Verify(message, sm2Sign(message, keys), keys.publicKey); // warm up

const signs: number[] = [];
const verifies: number[] = [];
const osSign: number[] = [];
const osVerify: number[] = [];
for (let r = 0; r < Math.max(RUNS, OPENSSL_RUNS); r++) {
  if (r < RUNS) {
    signs.push(rate(() => sm2Sign(message, keys)));
    verifies.push(rate(() => sm2Verify(message, sig, keys.publicKey)));
  }
  if (r < OPENSSL_RUNS) {
    const o = opensslSpeed();
    osSign.push(o.sign);
    osVerify.push(o.verify);
  }
}

const ps = median(signs);
const pv = median(verifies);
const os = median(osSign);
const ov = median(osVerify);
console.log('\n| operation | platform /s | openssl speed /s | platform ÷ openssl | goal |');
console.log('|---|---:|---:|---:|---:|');
console.log(
  `| SM2 sign (SM3, distid 1234567812345678, DER) | ${fmt(ps, 0)} | ${fmt(os, 0)} | ${fmt((ps / os) * 100, 0)} % | ≥ 90 % |`,
);
console.log(`| SM2 verify | ${fmt(pv, 0)} | ${fmt(ov, 0)} | ${fmt((pv / ov) * 100, 0)} % | ≥ 50 % |`);
console.log(
  `\nruns: sign ${signs.map((x) => fmt(x, 0)).join(', ')}; verify ${verifies.map((x) => fmt(x, 0)).join(', ')}`,
);
console.log(
  `openssl runs: sign ${osSign.map((x) => fmt(x, 0)).join(', ')}; verify ${osVerify.map((x) => fmt(x, 0)).join(', ')}`,
);

// ── PDF rendering ─────────────────────────────────────────────────────────────────────────
addMessages('licences', licencesMessages);
const t = translator('zh-CN');
const model = {
  typeName: '食品经营许可证',
  identifier: '1.2.156.3005.2.11100000880000012001.11410105880000016X.00000001.001.Q',
  licenceNumber: 'JY24101050000001',
  holderName: '郑州通办示范科技有限公司',
  holderId: '91410105202600012R',
  issuerName: '郑州市金水区市场监督管理局',
  issueDate: '2026-02-01',
  validity: '2026-02-01 至 2031-01-31',
  version: 1,
  keyId: '0123456789abcdef',
  fields: { 经营场所: '郑州市金水区示范路100号', 主体业态: '餐饮服务经营者', 经营项目: '热食类食品制售' },
  verifyUrl:
    'https://zwfw.zhengzhou.example/licences/verify/1.2.156.3005.2.11100000880000012001.11410105880000016X.00000001.001.Q',
};
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const first0 = performance.now();
const firstPdf = await renderLicencePdf(model, t);
const first = performance.now() - first0;
await PDFDocument.load(firstPdf);
const wall: number[] = [];
const cpu: number[] = [];
for (let i = 0; i < 20; i++) {
  // vary the holder so the font subset differs each time, as in production
  const t0 = performance.now();
  const c0 = cpuMs();
  await renderLicencePdf({ ...model, holderName: `${model.holderName}${'甲乙丙丁戊己庚辛壬癸'[i % 10]}` }, t);
  wall.push(performance.now() - t0);
  cpu.push(cpuMs() - c0);
}
console.log(
  `\nPDF render: median ${fmt(median(cpu), 1)} ms CPU, ${fmt(median(wall), 1)} ms wall, over 20 (first, with the 8 MB font load: ${fmt(first, 0)} ms wall); size ${fmt(firstPdf.length / 1024, 1)} KB`,
);
