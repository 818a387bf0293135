/**
 * The load side of bench/halls.bench.ts's paced mode, in its own process (its own event loop and
 * CPU time, so the server's latency is not the client's): an open loop that sends requests at a
 * fixed rate whatever the answers do, each timed from when it was due to be sent (so queueing in
 * either process counts, no coordinated omission). Asked over IPC:
 *   { run: { urls: string[], body: string, headers: {...}, want: number, rate: number, seconds: number } }
 * answers { done: { sent, ok, errors, seconds, latencies } } (latencies in ms, sorted).
 */
import { Agent, request } from 'node:http';

interface Run {
  urls: string[];
  body: string;
  headers: Record<string, string>;
  want: number;
  rate: number;
  seconds: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function send(url: URL, r: Run): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: 'POST',
        agent,
        headers: { ...r.headers, 'content-length': Buffer.byteLength(r.body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(r.body);
  });
}

async function paced(r: Run) {
  const urls = r.urls.map((u) => new URL(u));
  const total = Math.max(1, Math.round(r.rate * r.seconds));
  const interval = 1000 / r.rate;
  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  const pending: Array<Promise<void>> = [];
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const due = t0 + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((res) => setTimeout(res, wait));
    pending.push(
      send(urls[i % urls.length]!, r).then((status) => {
        latencies.push(performance.now() - due);
        if (status === r.want) ok++;
        else errors++;
      }),
    );
  }
  await Promise.all(pending);
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { sent: total, ok, errors, seconds, latencies };
}

process.on('message', (m: { run?: Run; exit?: boolean }) => {
  if (m.exit) process.exit(0);
  if (m.run)
    paced(m.run).then(
      (done) => process.send?.({ done }),
      (err: unknown) => process.send?.({ error: String(err) }),
    );
});
process.send?.({ ready: true });
