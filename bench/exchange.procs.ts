/**
 * The exchange benches' server processes (bench/exchange.server.ts of a checkout): started with
 * tsx, answered once they print their `{"port"…}` line, asked for their CPU time and stopped over
 * IPC. Shared by exchange.bench.ts and exchange-ab.bench.ts.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';

export type ServerProc = { child: ChildProcess; info: Record<string, string | number> };

/** Starts `dir`'s bench/exchange.server.ts with `args`; resolves with the port line it prints. */
export function startServer(args: string[], dir: string, execArgv: string[] = []): Promise<ServerProc> {
  const child = fork(join(dir, 'bench', 'exchange.server.ts'), args, {
    cwd: dir,
    execArgv: ['--import', 'tsx', ...execArgv],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (d) => {
      buf += String(d);
      // the server's own line (its logger writes JSON lines too)
      const line = buf.split('\n').find((l) => l.startsWith('{"port"'));
      if (line) resolve({ child, info: JSON.parse(line) });
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
}

/** the server process's CPU time so far (user + system, µs) */
export const cpuOf = (c: ChildProcess) =>
  new Promise<number>((resolve) => {
    c.once('message', (m) => resolve(Number(m)));
    c.send('cpu');
  });

export const stop = (c: ChildProcess) =>
  new Promise<void>((r) => {
    c.removeAllListeners('exit');
    c.once('exit', () => r());
    c.send('stop');
  });

/** A client-credentials token for the consumer the server made (its port line names it). */
export async function tokenOf(s: ServerProc): Promise<string> {
  const r = await fetch(`http://127.0.0.1:${s.info.port}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: s.info.clientId,
      client_secret: s.info.clientSecret,
    }),
  });
  return ((await r.json()) as { access_token: string }).access_token;
}
