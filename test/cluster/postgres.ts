/**
 * A throwaway PostgreSQL for the topology suite: Debian's `postgresql` package (installed with
 * apt-get when missing and we are root), a fresh data directory under the system temp dir,
 * listening on a free loopback port, run as an unprivileged user (PostgreSQL refuses root).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findFreePort } from '../../src/devserver/ports';
import { POSTGRES_MAJOR } from './versions';

export interface Postgres {
  host: string;
  port: number;
  user: string;
  /** Trust authentication on loopback: any password is accepted. */
  password: string;
  stop(): Promise<void>;
}

const USER = 'temporal';

/** The bin directory of Debian's PostgreSQL, installing the package when it is missing. */
export function ensurePostgresBinaries(log: (line: string) => void): string {
  const found = findBinDir();
  if (found) return found;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `PostgreSQL ${POSTGRES_MAJOR} is not installed (no /usr/lib/postgresql/*/bin/postgres): run \`apt-get install postgresql\` as root, then re-run the suite.`,
    );
  }
  log('installing PostgreSQL with apt-get (Debian package "postgresql")...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql'], { stdio: 'inherit', env });
  const installed = findBinDir();
  if (!installed) throw new Error('apt-get installed "postgresql" but no /usr/lib/postgresql/*/bin/postgres appeared');
  return installed;
}

function findBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((name) => existsSync(path.join(root, name, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] ? path.join(root, majors[0], 'bin') : undefined;
}

/** uid/gid to run PostgreSQL as: ourselves unless root, else the package's `postgres` user. */
function unprivilegedUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

export async function startPostgres(log: (line: string) => void): Promise<Postgres> {
  const bin = ensurePostgresBinaries(log);
  const user = unprivilegedUser();
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpflow-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const dataDir = path.join(dir, 'data');
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  const initdb = spawnSync(path.join(bin, 'initdb'), ['-D', dataDir, '-U', USER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], {
    ...asUser,
    encoding: 'utf8',
  });
  if (initdb.status !== 0) throw new Error(`initdb failed (${initdb.status}): ${initdb.stderr}`);
  const port = await findFreePort('127.0.0.1');
  // Temporal opens a pool per store and service (four services in one process here).
  const args = ['-D', dataDir, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'];
  const child: ChildProcess = spawn(path.join(bin, 'postgres'), args, { ...asUser, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited (${child.exitCode}) at start: ${stderr}`);
    if (spawnSync(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', USER]).status === 0) break;
    if (Date.now() > deadline) throw new Error(`postgres did not accept connections within 60 s: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  log(`PostgreSQL (${bin}) on 127.0.0.1:${port}, data in ${dataDir}`);
  return {
    host: '127.0.0.1',
    port,
    user: USER,
    password: 'unused',
    stop: async () => {
      // SIGINT is PostgreSQL's "fast" shutdown.
      if (child.exitCode === null) child.kill('SIGINT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
