#!/usr/bin/env node
// The write load of scripts/chaos.sh, through the proxy with real bearer tokens: the citizen
// applies online (POST /api/v1/cases) and reads the case back; the hall's clerk enters a walk-in
// application for the citizen and accepts it (POST …/actions). Every
// acknowledged write (a 2xx) is appended to <dir>/acked.txt as it arrives — `case <number>` or
// `accept <number>` — so a write acknowledged just before a crash is on disk before the next.
// Every answer is tallied by the phase chaos.sh writes into <dir>/phase; stops when <dir>/stop
// appears, then writes <dir>/load.json.
//
//   node scripts/chaos/load.mjs --url http://127.0.0.1:8088 --dir DIR --workers 8 [--max-writes N]
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const url = arg('url');
const dir = arg('dir');
const workers = Number(arg('workers', '8'));
const maxWrites = Number(arg('max-writes', '0')); // 0: until <dir>/stop
const tokens = JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8'));
const ackedFile = join(dir, 'acked.txt');
const CITY_ITEM = '11410100297017523N01003401100000'; // 食品小经营店登记, decided by the city
const COUNTY_ITEM = '11410105414644738F05001200400000'; // 失业保险金申领, 金水区: the hall accepts it

let phase = 'start';
const readPhase = () => {
  try {
    phase = readFileSync(join(dir, 'phase'), 'utf8').trim() || phase;
  } catch {}
};
const phaseTimer = setInterval(readPhase, 100);
readPhase();

/** phase → kind → status (or the fetch error's name) → count */
const tally = {};
const count = (kind, status) => {
  tally[phase] ??= {};
  tally[phase][kind] ??= {};
  const k = tally[phase][kind];
  k[status] = (k[status] ?? 0) + 1;
};
const firstAckAfter = {}; // phase → ms since epoch of the first acknowledged write in it
let writes = 0;
let retries = 0;
let acked = 0;
const stopped = () => existsSync(join(dir, 'stop')) || (maxWrites > 0 && writes >= maxWrites);

async function call(kind, method, path, who, body) {
  try {
    const r = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${tokens[who]}`,
        accept: 'application/json',
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await r.text();
    count(kind, r.status);
    let json;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: r.status, json };
  } catch (e) {
    count(kind, e?.name === 'TimeoutError' ? 'timeout' : 'fetch-error');
    return { status: 0 };
  }
}

function ack(line) {
  appendFileSync(ackedFile, `${line}\n`); // before anything else happens: the record of the ack
  acked++;
  firstAckAfter[phase] ??= Date.now();
}

/**
 * A write as a careful client sends it: with a `requestId` (cases.requests.ts), so that after a
 * 502/503 or a cut connection it is sent again unchanged — the first answer is kept with the write,
 * so a retry of a write that was in fact committed gets that answer, never a second case.
 */
async function write(kind, path, who, body) {
  for (let attempt = 0; ; attempt++) {
    const r = await call(kind, 'POST', path, who, body);
    if (r.status > 0 && r.status < 500) return r;
    if (attempt >= 20 || stopped()) return r;
    retries++;
    await new Promise((res) => setTimeout(res, 250));
  }
}

const FORM = {
  applicantName: '张三',
  idNumber: '410105199003070114',
  mobile: '13800000000',
  address: '金水区经八路1号',
  deliveryMethod: '窗口领取',
};

async function worker(w) {
  let n = 0;
  const run = `${process.pid}-${Date.now().toString(36)}`;
  while (!stopped()) {
    n++;
    const id = `chaos-${run}-${w}-${n}`;
    // online: the citizen applies for a city item and reads the case back
    writes++;
    const c = await write('apply', '/api/v1/cases', 'citizen', {
      implementationCode: CITY_ITEM,
      regionCode: '410105001',
      requestId: `${id}-apply`,
      form: { ...FORM, requestDetails: `chaos ${w}-${n}` },
    });
    if (c.status === 201 && c.json?.caseNumber) {
      ack(`case ${c.json.caseNumber}`);
      await call('read', 'GET', `/api/v1/cases/${encodeURIComponent(c.json.caseNumber)}`, 'citizen');
    }
    if (stopped()) break;
    // at the window: the clerk enters a walk-in application for the citizen, then accepts it
    writes++;
    const h = await write('walk-in', '/api/v1/cases', 'clerk', {
      implementationCode: COUNTY_ITEM,
      regionCode: '410105001',
      hallId: 'H410105001',
      applicantId: FORM.idNumber,
      requestId: `${id}-walkin`,
      form: { ...FORM, requestDetails: `chaos window ${w}-${n}` },
    });
    if (h.status !== 201 || !h.json?.caseNumber) continue;
    const num = h.json.caseNumber;
    ack(`case ${num}`);
    if (stopped()) break;
    writes++;
    const a = await write('accept', `/api/v1/cases/${encodeURIComponent(num)}/actions`, 'clerk', {
      action: 'accept',
      requestId: `${id}-accept`,
    });
    if (a.status === 200) ack(`accept ${num}`);
  }
}

const t0 = Date.now();
await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
clearInterval(phaseTimer);
writeFileSync(
  join(dir, 'load.json'),
  JSON.stringify(
    { seconds: (Date.now() - t0) / 1000, writes, acked, retries, tally, firstAckAfter },
    null,
    1,
  ),
);
