/**
 * Every program docker-compose.yml runs inside an image (healthchecks, entrypoints, and the
 * programs its mounted scripts call) exists in that image. The images' files come from their
 * published build files, recorded with their sources in image-files.json: this suite runs without
 * Docker, so a new image tag needs its entry there before this test passes.
 * Also: every published port is bound to 127.0.0.1 unless MCPFLOW_PUBLISH_IP says otherwise.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';

const repoRoot = path.resolve(__dirname, '..', '..');
const MOUNT = '/etc/temporal/mcpflow';
const MOUNT_SOURCE = path.join(repoRoot, 'deploy', 'temporal');

interface ImageFiles {
  source: string[];
  path: string[];
  files: string[];
}
interface Service {
  image?: string;
  entrypoint?: string[];
  command?: string[];
  ports?: string[];
  healthcheck?: { test?: string | string[] };
}

const manifest = JSON.parse(readFileSync(path.join(__dirname, 'image-files.json'), 'utf8')) as { images: Record<string, ImageFiles> };
const services = (parse(readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> }).services;

/** Where `program` resolves in the image (as exec does: absolute as is, else the first PATH entry that has it). */
function resolveIn(image: ImageFiles, program: string): string | undefined {
  if (program.startsWith('/')) return image.files.includes(program) ? program : undefined;
  return image.path.map((dir) => `${dir}/${program}`).find((candidate) => image.files.includes(candidate));
}

/** The program a healthcheck's `test` runs first: CMD's first word, or the shell for CMD-SHELL and the string form. */
function healthcheckPrograms(test: string | string[]): string[] {
  if (typeof test === 'string') return ['/bin/sh', test.trim().split(/\s+/)[0]!];
  const [kind, ...rest] = test;
  if (kind === 'CMD') return [rest[0]!];
  if (kind === 'CMD-SHELL') return ['/bin/sh', rest.join(' ').trim().split(/\s+/)[0]!];
  return [];
}

/** Programs a script of deploy/temporal runs: its interpreter, what it `exec`s, and the tools it defaults to. */
function scriptPrograms(scriptInContainer: string): string[] {
  const text = readFileSync(path.join(MOUNT_SOURCE, path.relative(MOUNT, scriptInContainer)), 'utf8');
  const programs = [/^#!(\S+)/.exec(text)?.[1] ?? '/bin/sh'];
  for (const match of text.matchAll(/^\s*exec (\S+)/gm)) programs.push(match[1]!);
  for (const match of text.matchAll(/\$\{(?:TEMPORAL_SQL_TOOL|TEMPORAL_CLI):=([^}]+)\}/g)) programs.push(match[1]!);
  return programs;
}

/** Every program a service runs inside its image, with what asks for it. */
function programsOf(service: Service): Array<{ what: string; program: string }> {
  const programs: Array<{ what: string; program: string }> = [];
  if (service.healthcheck?.test) for (const program of healthcheckPrograms(service.healthcheck.test)) programs.push({ what: 'healthcheck', program });
  const [entry, script] = service.entrypoint ?? [];
  if (entry) programs.push({ what: 'entrypoint', program: entry });
  if (script?.startsWith(`${MOUNT}/`)) for (const program of scriptPrograms(script)) programs.push({ what: script, program });
  return programs;
}

describe('programs docker-compose.yml runs inside its images', () => {
  it('records the files of every image that runs a healthcheck or an entrypoint of ours, by exact tag', () => {
    for (const [name, service] of Object.entries(services)) {
      if (programsOf(service).length === 0) continue;
      assert.ok(
        service.image && manifest.images[service.image],
        `${name}: ${service.image} has no entry in test/compose/image-files.json (record its files from its build files)`,
      );
      assert.ok(manifest.images[service.image]!.source.length > 0, `${service.image} says where its files come from`);
    }
  });

  for (const [name, service] of Object.entries(services)) {
    const programs = programsOf(service);
    if (programs.length === 0) continue;
    it(`${name}: ${programs.map((each) => each.program).join(', ')} exist in ${service.image}`, () => {
      const image = manifest.images[service.image!]!;
      for (const { what, program } of programs) {
        assert.ok(resolveIn(image, program), `${name}: ${what} runs ${program}, which ${service.image} does not have (its files: ${image.files.join(', ')})`);
      }
    });
  }

  it('the check fails for the Temporal CLI in an image without it (temporalio/server from 1.30.0 ships only temporal-server)', () => {
    const newer = manifest.images['temporalio/server:1.30.0']!;
    const [program] = healthcheckPrograms(services.temporal!.healthcheck!.test!);
    assert.equal(resolveIn(newer, program!), undefined);
    assert.equal(resolveIn(newer, 'temporal-server'), '/usr/local/bin/temporal-server');
  });

  it('the worker image is built on the node image the manifest records', () => {
    const runtimeFrom = /^FROM (\S+) AS runtime$/m.exec(readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8'))?.[1];
    assert.ok(runtimeFrom, 'the Dockerfile has a runtime stage');
    assert.ok(
      manifest.images['mcpflow:0.1.0']!.source.some((line) => line.includes(`FROM ${runtimeFrom}`)),
      `image-files.json records mcpflow:0.1.0 as built FROM ${runtimeFrom}`,
    );
  });
});

describe('published ports', () => {
  it('bind to 127.0.0.1 unless MCPFLOW_PUBLISH_IP is set (Temporal, the UI and the codec server have no authentication here)', () => {
    let count = 0;
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? []) {
        count++;
        assert.match(port, /^\$\{MCPFLOW_PUBLISH_IP:-127\.0\.0\.1\}:\d+:\d+$/, `${name} publishes ${port}`);
      }
    }
    assert.ok(count >= 3, 'Temporal, the UI and the codec server publish a port');
    for (const port of ['7233', '8080', '8081']) {
      assert.ok(
        Object.values(services).some((service) => service.ports?.includes(`\${MCPFLOW_PUBLISH_IP:-127.0.0.1}:${port}:${port}`)),
        `${port} is published on loopback`,
      );
    }
  });
});
