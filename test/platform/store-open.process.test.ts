import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, type Socket, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { STORE_EXIT } from '../../src/platform/db/open-errors.js';

/**
 * The real process (`src/main.ts`, as `npm start` runs it) started on a store it cannot open: one
 * line on stderr naming the cause, an exit code per cause, no stack. The PostgreSQL cases that need
 * a server use TONGBAN_TEST_DATABASE_URL's server; the others need none.
 */
const root = join(import.meta.dirname, '..', '..');
const pgBase = process.env.TONGBAN_TEST_DATABASE_URL;
const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

function start(env: NodeJS.ProcessEnv): { status: number | null; stderr: string; stdout: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tb-open-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      TONGBAN_DATA_DIR: dir,
      TONGBAN_PORT: '0',
      TONGBAN_LOG_LEVEL: 'warn',
      TONGBAN_DATABASE_URL: '',
      ...env,
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

function assertOneLine(r: { stderr: string }, pattern: RegExp): string {
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack');
  assert.match(lines[0]!, pattern);
  return lines[0]!;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * A server speaking just enough of the PostgreSQL wire protocol to do what a real one configured
 * with `password` authentication does on a wrong password: ask for the password, read it, answer
 * FATAL 28P01. (The shared test server trusts loopback, so it never refuses a password.)
 */
async function refusingServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    let buf = Buffer.alloc(0);
    let started = false;
    let answered = false;
    sock.on('error', () => {});
    sock.on('data', (d) => {
      if (answered) return;
      buf = Buffer.concat([buf, d]);
      if (!started && buf.length >= 4 && buf.length >= buf.readInt32BE(0)) {
        started = true;
        buf = buf.subarray(buf.readInt32BE(0));
        const ask = Buffer.alloc(9);
        ask.write('R', 0);
        ask.writeInt32BE(8, 1);
        ask.writeInt32BE(3, 5); // AuthenticationCleartextPassword
        sock.write(ask);
      }
      if (started && buf.length >= 5 && buf[0] === 0x70 /* 'p' */) {
        const fields = Buffer.from(
          'SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed for user "tongban"\0\0',
          'utf8',
        );
        const head = Buffer.alloc(5);
        head.write('E', 0);
        head.writeInt32BE(fields.length + 4, 1);
        answered = true;
        sock.end(Buffer.concat([head, fields]));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe('a store that cannot be opened', () => {
  test('PostgreSQL refusing the password: one line naming the user, exit 77', async () => {
    const srv = await refusingServer();
    try {
      const r = await new Promise<ReturnType<typeof start>>((resolve) => {
        // spawnSync would block this process's event loop, and with it the fake server
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
          cwd: root,
          env: {
            ...process.env,
            TONGBAN_DATA_DIR: mkdtempSync(join(tmpdir(), 'tb-open-')),
            TONGBAN_PORT: '0',
            TONGBAN_DATABASE_URL: `postgres://tongban:wrong@127.0.0.1:${srv.port}/tongban`,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => {
          stdout += d;
        });
        child.stderr.on('data', (d) => {
          stderr += d;
        });
        child.on('exit', (status) => resolve({ status, stdout, stderr }));
      });
      assert.equal(r.status, STORE_EXIT.authentication, r.stderr);
      const line = assertOneLine(r, /refused user "tongban".*password authentication failed/);
      assert.doesNotMatch(line, /wrong/, 'the password is never printed');
    } finally {
      await srv.close();
    }
  });

  test('PostgreSQL server not answering: one line naming host and port, exit 69', async () => {
    const port = await freePort();
    const r = start({ TONGBAN_DATABASE_URL: `postgres://tongban:secret@127.0.0.1:${port}/tongban` });
    assert.equal(r.status, STORE_EXIT.unreachable, r.stderr);
    const line = assertOneLine(r, new RegExp(`no PostgreSQL server answers at 127\\.0\\.0\\.1:${port}`));
    assert.doesNotMatch(line, /secret/);
  });

  test('PostgreSQL host name that does not resolve: exit 69', () => {
    const r = start({ TONGBAN_DATABASE_URL: 'postgres://tongban@db.invalid:5432/tongban' });
    assert.equal(r.status, STORE_EXIT.unreachable, r.stderr);
    assertOneLine(r, /no PostgreSQL server answers at db\.invalid:5432 \((ENOTFOUND|EAI_AGAIN)\)/);
  });

  test('SQLite: the data directory is a file: one line naming the file, exit 73', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-open-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'plain-file'), 'not a directory');
    const r = start({
      TONGBAN_DATA_DIR: join(dir, 'plain-file', 'data'),
      TONGBAN_SECRET_KEY: 'a'.repeat(64),
    });
    assert.equal(r.status, STORE_EXIT.sqliteUnwritable, r.stderr);
    assertOneLine(r, /the SQLite store .*plain-file\/data\/tongban\.sqlite cannot be opened for writing/);
  });

  test('SQLite: the store file cannot be created (a directory in its place): exit 73', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-open-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'tongban.sqlite'));
    const r = start({ TONGBAN_DATA_DIR: dir });
    assert.equal(r.status, STORE_EXIT.sqliteUnwritable, r.stderr);
    assertOneLine(r, /tongban\.sqlite cannot be opened for writing: unable to open database file/);
  });

  test('SQLite: a read-only file (skipped as root, who may write anyway)', (t) => {
    if (process.getuid?.() === 0) return t.skip('root writes read-only files');
    const dir = mkdtempSync(join(tmpdir(), 'tb-open-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    spawnSync('chmod', ['0555', dir]);
    cleanups.push(() => void spawnSync('chmod', ['0755', dir]));
    const r = start({ TONGBAN_DATA_DIR: dir, TONGBAN_SECRET_KEY: 'a'.repeat(64) });
    assert.equal(r.status, STORE_EXIT.sqliteUnwritable, r.stderr);
    assertOneLine(r, /cannot be opened for writing/);
  });

  test('PostgreSQL database missing, role may not create it: one line with the createdb command, exit 66', async (t) => {
    if (!pgBase) return t.skip('needs TONGBAN_TEST_DATABASE_URL');
    const role = `tb_nocreate_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: pgBase });
    await admin.connect();
    await admin.query(`create role ${role} login nocreatedb`);
    cleanups.push(async () => {
      await admin.query(`drop role if exists ${role}`);
      await admin.end();
    });
    const u = new URL(pgBase);
    u.username = role;
    u.password = '';
    u.pathname = `/tb_missing_${randomBytes(4).toString('hex')}`;
    const database = u.pathname.slice(1);
    const r = start({ TONGBAN_DATABASE_URL: u.toString() });
    assert.equal(r.status, STORE_EXIT.missingDatabase, r.stderr);
    const line = assertOneLine(
      r,
      new RegExp(`database "${database}" does not exist .* user "${role}" may not create databases`),
    );
    assert.match(
      line,
      new RegExp(`create it with: createdb -h ${u.hostname} -p ${u.port || 5432} -O ${role} ${database}$`),
    );
    const exists = await admin.query('select 1 from pg_database where datname = $1', [database]);
    assert.equal(exists.rowCount, 0);
  });

  test('PostgreSQL database missing, role may create it: created, migrated, the node answers', async (t) => {
    if (!pgBase) return t.skip('needs TONGBAN_TEST_DATABASE_URL');
    const u = new URL(pgBase);
    u.pathname = `/tb_created_${randomBytes(4).toString('hex')}`;
    const database = u.pathname.slice(1);
    const dropIt = async () => {
      const a = new pg.Client({ connectionString: pgBase });
      await a.connect();
      await a.query(`drop database if exists ${database} with (force)`);
      await a.end();
    };
    cleanups.push(dropIt);
    const dir = mkdtempSync(join(tmpdir(), 'tb-open-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        TONGBAN_DATA_DIR: dir,
        TONGBAN_PORT: String(port),
        TONGBAN_DEMO: '0',
        TONGBAN_LOG_LEVEL: 'warn',
        TONGBAN_DATABASE_URL: u.toString(),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    try {
      let healthy = false;
      for (let i = 0; i < 600 && !healthy && child.exitCode === null; i++) {
        try {
          healthy = (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      assert.ok(healthy, `never became healthy:\n${out}`);
      assert.match(out, /did not exist: created it/);
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      assert.equal(await exited, 0, out);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
