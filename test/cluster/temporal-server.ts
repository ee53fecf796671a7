/**
 * The Temporal server of the topology suite: built from its Go module like the Temporal CLI
 * (src/devserver/cli-path.ts) and cached under the project's cache directory, prepared by
 * deploy/temporal/setup.sh and configured by deploy/temporal/mcpflow.yaml — the same script and
 * file that docker-compose.yml runs in the official images.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { DEV_SERVER_SEARCH_ATTRIBUTE_TYPES } from '../../src/core/search-attributes';
import { ensureTemporalCli, mcpflowCacheDir } from '../../src/devserver/cli-path';
import { isPortFree } from '../../src/devserver/ports';
import type { Postgres } from './postgres';
import { TEMPORAL_SERVER_VERSION } from './versions';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const DEPLOY_DIR = path.join(REPO_ROOT, 'deploy', 'temporal');
const SERVER_MODULE = 'go.temporal.io/server';

export interface ServerBinaries {
  server: string;
  sqlTool: string;
  /** schema/postgresql/v12 of the same module. */
  schemaDir: string;
}

/** `$MCPFLOW_CACHE_DIR/temporal-server/v1.29.1/{temporal-server,temporal-sql-tool,schema}`. */
export function serverCacheDir(): string {
  return path.join(mcpflowCacheDir(), 'temporal-server', `v${TEMPORAL_SERVER_VERSION}`);
}

/** Builds the server and its SQL tool with `go install` once; later runs use the cache. */
export function ensureServerBinaries(log: (line: string) => void): ServerBinaries {
  const dir = serverCacheDir();
  const binaries = { server: path.join(dir, 'temporal-server'), sqlTool: path.join(dir, 'temporal-sql-tool'), schemaDir: path.join(dir, 'schema') };
  if (existsSync(binaries.server) && existsSync(binaries.sqlTool) && existsSync(binaries.schemaDir)) return binaries;
  const staging = `${dir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const version = `v${TEMPORAL_SERVER_VERSION}`;
  log(`building ${SERVER_MODULE}/cmd/server and cmd/tools/sql@${version} with Go (minutes, once) into ${dir}`);
  const started = Date.now();
  try {
    execFileSync('go', ['install', `${SERVER_MODULE}/cmd/server@${version}`, `${SERVER_MODULE}/cmd/tools/sql@${version}`], {
      env: { ...process.env, GOBIN: staging, CGO_ENABLED: '0' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`\`go install ${SERVER_MODULE}/cmd/server@${version}\` failed: ${(error as Error).message}`);
  }
  const modCache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  cpSync(path.join(modCache, `${SERVER_MODULE}@${version}`, 'schema', 'postgresql', 'v12'), path.join(staging, 'schema'), { recursive: true });
  renameSync(path.join(staging, 'server'), path.join(staging, 'temporal-server'));
  renameSync(path.join(staging, 'sql'), path.join(staging, 'temporal-sql-tool'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.dirname(dir), { recursive: true });
  renameSync(staging, dir);
  log(`built the Temporal server in ${Math.round((Date.now() - started) / 1000)} s`);
  return binaries;
}

/**
 * A frontend port P such that P..P+10 and P-300..P-294 (config layout) are all free. Below 32768:
 * the SQL schema stores membership ports as smallint, and the server dies on a larger one.
 */
async function findPortBase(): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    const ports = [base, base + 1, base + 2, base + 6, base + 10, base - 300, base - 299, base - 298, base - 294];
    const free = await Promise.all(ports.map((port) => isPortFree(port, '127.0.0.1')));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no free range of ports for the Temporal server');
}

export interface TemporalServer {
  address: string;
  namespace: string;
  /** SIGTERM and wait, then start again with the same configuration and database. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  log(): string;
}

export async function startTemporalServer(postgres: Postgres, log: (line: string) => void): Promise<TemporalServer> {
  const binaries = ensureServerBinaries(log);
  const cli = await ensureTemporalCli({ log });
  const base = await findPortBase();
  const address = `127.0.0.1:${base}`;
  const namespace = 'default';
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    POSTGRES_SEEDS: postgres.host,
    POSTGRES_PORT: String(postgres.port),
    POSTGRES_USER: postgres.user,
    POSTGRES_PWD: postgres.password,
    TEMPORAL_PORT_BASE: String(base),
    TEMPORAL_BIND_IP: '127.0.0.1',
    TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
    TEMPORAL_METRICS_ADDRESS: 'off',
    TEMPORAL_DYNAMIC_CONFIG: path.join(DEPLOY_DIR, 'dynamicconfig.yaml'),
    SCHEMA_DIR: binaries.schemaDir,
    TEMPORAL_SQL_TOOL: binaries.sqlTool,
    TEMPORAL_CLI: cli,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: namespace,
    MCPFLOW_SEARCH_ATTRIBUTES: Object.entries(DEV_SERVER_SEARCH_ATTRIBUTE_TYPES)
      .map(([name, type]) => `${name}=${type}`)
      .join(' '),
  };
  const setup = (step: 'schema' | 'namespace') =>
    new Promise<void>((resolve, reject) => {
      execFile('sh', [path.join(DEPLOY_DIR, 'setup.sh'), step], { env, encoding: 'utf8' }, (error, stdout, stderr) => {
        if (error) reject(new Error(`deploy/temporal/setup.sh ${step} failed:\n${stdout}${stderr}`));
        else resolve();
      });
    });
  await setup('schema');

  let output = '';
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const start = () => {
    const spawned = spawn(
      binaries.server,
      ['--root', path.dirname(DEPLOY_DIR), '--config', path.basename(DEPLOY_DIR), '--env', 'mcpflow', '--allow-no-auth', 'start'],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
    spawned.stdout!.on('data', keep);
    spawned.stderr!.on('data', keep);
    exited = new Promise((resolve) => spawned.once('exit', () => resolve()));
    child = spawned;
  };
  const stopProcess = async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  /** Waits for the frontend, then creates the namespace and search attributes (idempotent); fails at once if the server dies. */
  const ready = async () => {
    const died = exited.then(() => {
      throw new Error(`temporal-server exited during start-up`);
    });
    try {
      await Promise.race([setup('namespace'), died]);
    } catch (error) {
      await stopProcess();
      throw new Error(`${(error as Error).message}\nserver output:\n${output}`);
    } finally {
      died.catch(() => undefined);
    }
  };
  start();
  await ready();
  log(`Temporal server ${TEMPORAL_SERVER_VERSION} on ${address} (PostgreSQL 127.0.0.1:${postgres.port})`);
  return {
    address,
    namespace,
    restart: async () => {
      await stopProcess();
      start();
      await ready();
    },
    stop: stopProcess,
    log: () => output,
  };
}
