/**
 * A throwaway PostgreSQL cluster of the test's own (initdb + pg_ctl in a temporary folder, on a free
 * loopback port), for what must never be done to the shared server: restarting it. And, when Debian's
 * pgbouncer is installed, a PgBouncer in transaction mode in front of it. initdb and pgbouncer refuse to
 * run as root: as root, they run as the `postgres` user.
 * @module
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface OwnPostgres {
  url: string;
  port: number;
  /** `pg_ctl restart -m fast`: every connection is cut, the server is back in about a second. */
  restart(): Promise<number>;
  stop(): Promise<void>;
}

/** The folder with initdb and pg_ctl, or why there is none. */
export function postgresBinaries(): { bin: string } | { missing: string } {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort().reverse() : [];
  for (const version of versions) {
    const bin = path.join(root, version, 'bin');
    if (existsSync(path.join(bin, 'initdb')) && existsSync(path.join(bin, 'pg_ctl'))) return { bin };
  }
  return { missing: `no initdb/pg_ctl under ${root}` };
}

export function pgbouncerBinary(): string | undefined {
  return ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((p) => existsSync(p));
}

const asRoot = process.getuid?.() === 0;
/** Runs a command as the postgres user when we are root (initdb, postgres and pgbouncer refuse root). */
function asPostgres(file: string, args: string[]) {
  return asRoot ? run('runuser', ['-u', 'postgres', '--', file, ...args]) : run(file, args);
}

async function ownFolder(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  await chmod(dir, 0o700);
  return dir;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startOwnPostgres(bin: string): Promise<OwnPostgres> {
  const dir = await ownFolder('nbs-own-pg-');
  const data = path.join(dir, 'data');
  const port = await freePort();
  await asPostgres(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '-N']);
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const ctl = (...args: string[]) =>
    asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, '-o', serverOptions, '-l', path.join(dir, 'log'), '-w', ...args]);
  await ctl('start');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async restart() {
      const began = Date.now();
      await ctl('restart', '-m', 'fast');
      return Date.now() - began;
    },
    async stop() {
      await ctl('stop', '-m', 'immediate').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface OwnPgBouncer {
  url: string;
  stop(): Promise<void>;
}

/** PgBouncer in transaction mode in front of `pg` (database `postgres`, trust). */
export async function startPgBouncer(file: string, pg: OwnPostgres, poolSize: number): Promise<OwnPgBouncer> {
  const dir = await ownFolder('nbs-pgbouncer-');
  const port = await freePort();
  const ini = path.join(dir, 'pgbouncer.ini');
  await writeFile(path.join(dir, 'users.txt'), '"postgres" ""\n');
  await writeFile(
    ini,
    [
      '[databases]',
      `postgres = host=127.0.0.1 port=${pg.port} dbname=postgres user=postgres`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      `unix_socket_dir = ${dir}`,
      'auth_type = trust',
      `auth_file = ${path.join(dir, 'users.txt')}`,
      'pool_mode = transaction',
      `default_pool_size = ${poolSize}`,
      'max_client_conn = 1000',
      `logfile = ${path.join(dir, 'log')}`,
      `pidfile = ${path.join(dir, 'pid')}`,
      '',
    ].join('\n'),
  );
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    for (const f of ['users.txt', 'pgbouncer.ini']) await chown(path.join(dir, f), Number(stdout), Number(gid));
  }
  await asPostgres(file, ['-d', ini]);
  for (let i = 0; i < 50; i += 1) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      const pid = await import('node:fs/promises')
        .then((fs) => fs.readFile(path.join(dir, 'pid'), 'utf8'))
        .catch(() => '');
      if (pid.trim()) {
        try {
          process.kill(Number(pid.trim()), 'SIGTERM');
        } catch {}
        for (let i = 0; i < 50; i += 1) {
          try {
            process.kill(Number(pid.trim()), 0);
          } catch {
            break;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
