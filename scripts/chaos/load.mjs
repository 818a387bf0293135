#!/usr/bin/env node
// The load of scripts/chaos.sh, through the proxy with real bearer tokens — the mixed workload's
// kinds that these two accounts and anonymous callers make. Writers: the citizen applies online
// (POST /api/v1/cases) and reads the case back; the hall's clerk enters a walk-in application for
// the citizen and accepts it (POST …/actions). Readers, at the same time: guide pages and their
// JSON, search (page and API, at most one a second in all: the proxy makes every caller the same
// address, and the per-address search limit is 120 a minute), the citizen's cases and one case,
// the clerk's queue, and a verifier's reads of the log (checkpoint, a tile). Every
// acknowledged write (a 2xx) is appended to <dir>/acked.txt as it arrives — `case <number>` or
// `accept <number>` — so a write acknowledged just before a crash is on disk before the next.
// Every answer is tallied by the phase chaos.sh writes into <dir>/phase; stops when <dir>/stop
// appears, then writes <dir>/load.json.
//
//   node scripts/chaos/load.mjs --url http://127.0.0.1:8088 --dir DIR --workers 8 [--readers N] [--max-writes N]
//   (--readers: default 2 per writer; load.json says what share of the requests were reads)
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const url = arg('url');
const dir = arg('dir');
const workers = Number(arg('workers', '8'));
const readers = Number(arg('readers', String(workers * 2)));
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

async function call(kind, method, path, who, body, accept = 'application/json') {
  try {
    const r = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}),
        accept,
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
    return { status: r.status, json, text };
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
      lastCase = c.json.caseNumber;
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

let lastCase = '';
let lastSearch = 0;
const WORDS = ['营业执照', '食品经营许可', '社保', '公积金提取', '失业保险', '户口迁移'];
let reads = 0;
/** reads per other request, as in the mixed workload (19 reads to 8 writes: 70 % reads) */
const READS_PER_OTHER = 19 / 8;
const others = () => {
  let n = 0;
  for (const kinds of Object.values(tally))
    for (const [kind, byStatus] of Object.entries(kinds))
      if (!kind.startsWith('read')) n += Object.values(byStatus).reduce((a, b) => a + b, 0);
  return n;
};
const get = async (kind, path, who, accept) => {
  // readers keep the day's proportion: they wait while they are ahead of the writers
  while (reads > READS_PER_OTHER * others() + 8 && !stopped()) await new Promise((r) => setTimeout(r, 20));
  reads++;
  return call(kind, 'GET', path, who, undefined, accept);
};
const html = 'text/html';

/** One reader: a citizen's, a clerk's and a verifier's reads in turn, one request at a time. */
async function reader(r) {
  let n = r;
  while (!stopped()) {
    n++;
    await get('read:guide-page', `/items/${CITY_ITEM}`, undefined, html);
    await get('read:guide-json', `/api/v1/items/${n % 2 ? CITY_ITEM : COUNTY_ITEM}`);
    if (Date.now() - lastSearch >= 1000) {
      lastSearch = Date.now();
      const q = encodeURIComponent(WORDS[n % WORDS.length]);
      await (n % 2
        ? get('read:search-api', `/api/v1/search?q=${q}`)
        : get('read:search-page', `/search?q=${q}`, undefined, html));
    }
    await get('read:my-cases', '/api/v1/cases', 'citizen');
    if (lastCase) await get('read:case', `/api/v1/cases/${encodeURIComponent(lastCase)}`, 'citizen');
    await get('read:queue', '/api/v1/workbench/queue?hall=H410105001', 'clerk');
    const cp = await get('read:log-checkpoint', '/log/checkpoint', undefined, 'text/plain');
    const size = cp.status === 200 ? Number(cp.text.split('\n')[1] ?? 0) : 0;
    if (size > 0)
      await get(
        'read:log-tile',
        size >= 256 ? '/log/tile/0/000' : `/log/tile/0/000.p/${size}`,
        undefined,
        '*/*',
      );
  }
}

/** reads (the readers' and the citizen's read-back) in all requests sent, from the tally */
function shareOfReads() {
  let r = 0;
  let all = 0;
  for (const kinds of Object.values(tally))
    for (const [kind, byStatus] of Object.entries(kinds)) {
      const n = Object.values(byStatus).reduce((a, b) => a + b, 0);
      all += n;
      if (kind.startsWith('read')) r += n;
    }
  return all ? Math.round((1000 * r) / all) / 1000 : 0;
}

const t0 = Date.now();
await Promise.all([
  ...Array.from({ length: workers }, (_, w) => worker(w)),
  ...Array.from({ length: readers }, (_, r) => reader(r)),
]);
clearInterval(phaseTimer);
writeFileSync(
  join(dir, 'load.json'),
  JSON.stringify(
    {
      seconds: (Date.now() - t0) / 1000,
      writes,
      acked,
      retries,
      reads,
      readShare: shareOfReads(),
      tally,
      firstAckAfter,
    },
    null,
    1,
  ),
);
