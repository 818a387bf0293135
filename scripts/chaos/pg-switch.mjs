#!/usr/bin/env node
// The address the app nodes use for PostgreSQL during scripts/chaos.sh: a TCP relay to whichever
// server is the primary, as a virtual IP, a DNS name or a PgBouncer/HAProxy in front of a pair is
// in production (docs/adr/0025-failover-scripted-promote.md). node-postgres takes one host per
// URL (no libpq multi-host `target_session_attrs`), so the nodes cannot follow a promotion alone.
//
//   node scripts/chaos/pg-switch.mjs <listen port> <target file>
//
// The target file holds "host:port". SIGHUP re-reads it and cuts every relayed connection, so no
// node keeps talking to the server it left; new connections go to the new target.
import { readFileSync } from 'node:fs';
import net from 'node:net';

const [listenPort, targetFile] = process.argv.slice(2);
if (!listenPort || !targetFile) {
  process.stderr.write('usage: pg-switch.mjs <listen port> <target file>\n');
  process.exit(2);
}
const readTarget = () => {
  const [host, port] = readFileSync(targetFile, 'utf8').trim().split(':');
  return { host: host || '127.0.0.1', port: Number(port) };
};
let target = readTarget();
const live = new Set();

const server = net.createServer((client) => {
  const upstream = net.connect(target);
  const pair = { client, upstream };
  live.add(pair);
  const end = () => {
    live.delete(pair);
    client.destroy();
    upstream.destroy();
  };
  client.on('error', end).on('close', end);
  upstream.on('error', end).on('close', end);
  client.pipe(upstream);
  upstream.pipe(client);
});
server.listen(Number(listenPort), '127.0.0.1', () =>
  process.stdout.write(`pg-switch: 127.0.0.1:${listenPort} -> ${target.host}:${target.port}\n`),
);
process.on('SIGHUP', () => {
  target = readTarget();
  for (const p of live) {
    p.client.destroy();
    p.upstream.destroy();
  }
  live.clear();
  process.stdout.write(`pg-switch: now -> ${target.host}:${target.port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
