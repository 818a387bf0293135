/**
 * The SSE side of bench/halls.bench.ts, in its own process (its own file descriptors): opens one
 * stream per hall screen and FOLLOWERS more spread over the halls, reports when all are open,
 * and reports each delivery's arrival time (ms since the epoch, sub-millisecond).
 */
import { request } from 'node:http';

const base = new URL(process.env.BASE!);
const halls = (process.env.HALLS ?? '').split(',');
const followers = Number(process.env.FOLLOWERS ?? 10000);
const now = () => performance.timeOrigin + performance.now();

const arrivals: Array<[string, number]> = [];
let open = 0;
const total = halls.length + followers;

function stream(hall: string, opened: () => void): void {
  const req = request(
    { host: base.hostname, port: base.port, path: `/api/v1/halls/${hall}/events`, agent: false },
    (res) => {
      let first = true;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (first) {
          first = false;
          open++;
          opened();
          if (open === total) process.send?.({ ready: true });
        }
        let i = chunk.indexOf('data: ');
        while (i >= 0) {
          const end = chunk.indexOf('\n', i);
          const e = JSON.parse(chunk.slice(i + 6, end)) as { hallId: string; ticket: string };
          arrivals.push([`${e.hallId}/${e.ticket}`, now()]);
          i = chunk.indexOf('data: ', end);
        }
      });
    },
  );
  req.on('error', (err) => {
    if (process.connected) process.send?.({ error: String(err) });
  });
  req.end();
}

// opened in batches of 200 (the listen backlog would drop a burst of ten thousand connects)
const targets = [...halls, ...Array.from({ length: followers }, (_, i) => halls[i % halls.length]!)];
for (let i = 0; i < targets.length; i += 200) {
  const batch = targets.slice(i, i + 200);
  await new Promise<void>((resolve) => {
    let n = 0;
    for (const h of batch) stream(h, () => ++n === batch.length && resolve());
  });
}

process.on('message', (m: { report?: boolean }) => {
  if (m.report) {
    process.send?.({ arrivals }, () => process.exit(0));
  }
});
