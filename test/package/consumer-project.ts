/**
 * A user's project outside the repository, as `npm install mcpflow` makes it: the packed tarball
 * plus @temporalio/* at one version, in ~/.cache/mcpflow/package-test/temporal-<version> (kept,
 * so that a second run installs only the new tarball, from npm's cache there).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CACHE_DIR = process.env.MCPFLOW_PACKAGE_TEST_CACHE ?? path.join(homedir(), '.cache', 'mcpflow', 'package-test');
const NPM_CACHE = path.join(CACHE_DIR, 'npm');
const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'package-consumer');

/** The @temporalio packages a user installs next to mcpflow: its peers, all at one version. */
const temporalPackages = () => Object.keys(repoPackage().peerDependencies).filter((name) => name.startsWith('@temporalio/'));

interface PackageJson {
  peerDependencies: Record<string, string>;
}

const repoPackage = (): PackageJson => JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson;

/** The lowest and highest @temporalio versions package.json promises (`>=LOW <NEXT`), highest = the repo's own. */
export function supportedTemporalVersions(): { lowest: string; highest: string } {
  const range = repoPackage().peerDependencies['@temporalio/worker'] ?? '';
  const lowest = /^>=(\d+\.\d+\.\d+) /.exec(range)?.[1];
  if (!lowest) throw new Error(`package.json: @temporalio/worker peer range "${range}" is not ">=x.y.z <a.b.c"`);
  const highest = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules', '@temporalio', 'worker', 'package.json'), 'utf8')) as { version: string })
    .version;
  return { lowest, highest };
}

function npm(args: string[], cwd: string, timeoutMs: number) {
  return run('npm', [...args, '--cache', NPM_CACHE, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
}

/**
 * Builds the package into a staging copy outside the repository (the repo's own dist/ is left
 * alone: other tests run the CLI from it) and packs it; returns the tarball's path, named by its
 * content so that npm sees a new one, and the staging directory.
 */
export async function packRepo(): Promise<{ tarball: string; staged: string }> {
  const staged = path.join(CACHE_DIR, `stage-${process.pid}`);
  rmSync(staged, { recursive: true, force: true });
  mkdirSync(staged, { recursive: true });
  await run(
    process.execPath,
    [
      path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      path.join(REPO_ROOT, 'tsconfig.build.json'),
      '--outDir',
      path.join(staged, 'dist'),
    ],
    { cwd: REPO_ROOT, timeout: 300_000 },
  );
  for (const file of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'bin']) {
    if (existsSync(path.join(REPO_ROOT, file))) cpSync(path.join(REPO_ROOT, file), path.join(staged, file), { recursive: true });
  }
  const destination = path.join(CACHE_DIR, 'tarballs');
  mkdirSync(destination, { recursive: true });
  const { stdout } = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', destination], staged, 120_000);
  const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
  const packed = path.join(destination, filename);
  const hash = createHash('sha256').update(readFileSync(packed)).digest('hex').slice(0, 12);
  const tarball = path.join(destination, `mcpflow-${hash}.tgz`);
  renameSync(packed, tarball);
  return { tarball, staged };
}

/** `npm pack --dry-run --json` of a package directory: the files and sizes the tarball would have. */
export async function dryRunPack(dir: string): Promise<{ size: number; unpackedSize: number; files: Array<{ path: string }> }> {
  const { stdout } = await npm(['pack', '--dry-run', '--ignore-scripts', '--json'], dir, 120_000);
  return (JSON.parse(stdout) as Array<{ size: number; unpackedSize: number; files: Array<{ path: string }> }>)[0]!;
}

/** The user's project at one @temporalio version, with the tarball installed and the user's files compiled. */
export async function consumerProject(temporalVersion: string, tarball: string): Promise<string> {
  const dir = path.join(CACHE_DIR, `temporal-${temporalVersion}`);
  const marker = path.join(dir, '.temporal-installed');
  const dependencies = Object.fromEntries([...temporalPackages().map((name) => [name, temporalVersion]), ['@types/node', '^20.19.0']]);
  const wanted = JSON.stringify(dependencies);
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== wanted) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'mcpflow-consumer', private: true, dependencies }, null, 2)}\n`);
    await npm(['install'], dir, 300_000);
    writeFileSync(marker, wanted);
  }
  await npm(['install', '--prefer-offline', tarball], dir, 300_000);
  for (const file of readdirSync(FIXTURE)) copyFileSync(path.join(FIXTURE, file), path.join(dir, file));
  rmSync(path.join(dir, 'out'), { recursive: true, force: true });
  // The repo's TypeScript compiles the user's files against the installed package's types.
  await run(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(dir, 'tsconfig.json')], {
    cwd: dir,
    timeout: 120_000,
  }).catch((error: { stdout?: string; message: string }) => {
    throw new Error(`the user's files do not compile against the package: ${error.stdout ?? error.message}`);
  });
  return dir;
}

export async function runConsumer(dir: string, env: Record<string, string>): Promise<Record<string, unknown>> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(OPENAI_|MCPFLOW_ENCRYPTION|TEMPORAL_)/.test(name)));
  const { stdout } = await run(process.execPath, [path.join(dir, 'out', 'main.js')], {
    cwd: dir,
    env: { ...clean, ...env },
    timeout: 180_000,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stderr?: string; message: string }) => {
    throw new Error(`the user's worker program failed: ${error.stderr ?? error.message}`);
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
}

/** The installed CLI (`npx mcpflow …` in the user's project). */
export async function runInstalledCli(dir: string, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [path.join(dir, 'node_modules', 'mcpflow', 'bin', 'mcpflow.cjs'), ...args], { cwd: dir, timeout: 60_000 });
  return stdout;
}
