/** Config file loading, --server specs and Temporal connection settings (no server needed). */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  ConfigError,
  describeConnection,
  findConfigFile,
  loadConfig,
  parseServerSpec,
  resolveConnectionSettings,
  validateConfig,
  webUiBaseUrl,
  workflowUiUrl,
} from '../../src/config';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpflow-config-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const NO_TEMPORAL_FILE = { TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' };

describe('loadConfig', () => {
  it('finds mcpflow.config.json first, then .yaml, then .yml; none is fine', () => {
    assert.equal(findConfigFile(dirWith({})), undefined);
    assert.deepEqual(loadConfig({ cwd: dirWith({}) }).config.servers, []);
    const dir = dirWith({ 'mcpflow.config.yml': 'servers: []', 'mcpflow.config.json': '{}' });
    assert.equal(path.basename(findConfigFile(dir)!), 'mcpflow.config.json');
  });

  it('reads YAML with servers, defaults and secret references', () => {
    const dir = dirWith({
      'mcpflow.config.yaml': [
        'servers:',
        '  - label: weather',
        '    url: http://127.0.0.1:8801/mcp',
        '    require_approval: never',
        '    authorization: { env: WEATHER_TOKEN }',
        'defaults:',
        '  model: gpt-4.1-mini',
        '  mode: direct',
        '  retry: { max_retries: 5 }',
        '  approval_timeout_ms: 60000',
        '  task_queue: my-queue',
        '  session_id: team',
        'temporal:',
        '  address: 127.0.0.1:7233',
      ].join('\n'),
    });
    const { config, path: file } = loadConfig({ cwd: dir });
    assert.equal(path.basename(file!), 'mcpflow.config.yaml');
    assert.deepEqual(config.servers[0]!.authorization, { env: 'WEATHER_TOKEN' });
    assert.equal(config.servers[0]!.require_approval, 'never');
    assert.equal(config.defaults.mode, 'direct');
    assert.equal(config.defaults.retry?.max_retries, 5);
    assert.equal(config.defaults.retry?.base_delay_ms, 1000, 'the rest keeps the seed defaults');
    assert.equal(config.defaults.task_queue, 'my-queue');
    assert.equal(config.defaults.session_id, 'team');
  });

  it('defaults: hosted mode, gpt-4o-mini, task queue mcpflow', () => {
    const { config } = loadConfig({ cwd: dirWith({ 'mcpflow.config.json': '{}' }) });
    assert.equal(config.defaults.mode, 'hosted');
    assert.equal(config.defaults.model, 'gpt-4o-mini');
    assert.equal(config.defaults.task_queue, 'mcpflow');
  });

  it('names every bad field with its path and the fix', () => {
    const dir = dirWith({
      'mcpflow.config.json': JSON.stringify({
        servers: [
          { label: 'weather', url: 'http://127.0.0.1:8801/mcp', headers: { 'x-api-key': 'plain-secret-value' } },
          { label: 'bad label!', url: 'ftp:/x' },
        ],
        defaults: { retry: { max_retries: -1 }, colour: 'blue' },
        temporal: { address: 'no-port' },
      }),
    });
    assert.throws(
      () => loadConfig({ cwd: dir }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        const message = error.message;
        assert.match(message, /servers\[0\]\.headers\.x-api-key: secrets are not accepted as plain values.*\{ "env": "NAME" \}/);
        assert.match(message, /servers\[1\]\.label: use letters, digits/);
        assert.match(message, /defaults\.retry\.max_retries: /);
        assert.match(message, /defaults: unknown field "colour": remove it or check the spelling/);
        assert.match(message, /temporal\.address: must be host:port/);
        assert.doesNotMatch(message, /plain-secret-value/);
        return true;
      },
    );
  });

  it('duplicate labels, bad JSON and a missing --config file are config errors', () => {
    const duplicate = dirWith({
      'mcpflow.config.json': JSON.stringify({
        servers: [
          { label: 'a', url: 'http://x/mcp' },
          { label: 'a', url: 'http://y/mcp' },
        ],
      }),
    });
    assert.throws(() => loadConfig({ cwd: duplicate }), /servers: server labels must be unique/);
    assert.throws(() => loadConfig({ cwd: dirWith({ 'mcpflow.config.json': '{ nope' }) }), /is not valid JSON/);
    assert.throws(
      () => loadConfig({ cwd: dirWith({}), explicitPath: 'missing.yaml' }),
      (error: unknown) => error instanceof ConfigError && /does not exist/.test(error.message),
    );
  });
});

describe('parseServerSpec', () => {
  it('label=url with options', () => {
    assert.deepEqual(parseServerSpec('weather=http://127.0.0.1:8801/mcp,approval=never,auth=WEATHER_TOKEN,tools=a|b'), {
      label: 'weather',
      url: 'http://127.0.0.1:8801/mcp',
      require_approval: 'never',
      authorization: { env: 'WEATHER_TOKEN' },
      allowed_tools: ['a', 'b'],
      // Secrets written on the command line: only a worker that accepts inline servers sends them.
      inline: true,
    });
    assert.equal(parseServerSpec('calendar=http://127.0.0.1:8802/mcp').require_approval, 'always');
    assert.equal(parseServerSpec('calendar=http://127.0.0.1:8802/mcp').inline, undefined);
  });

  it("a label alone names a server of the worker's config, with its own approval and tools", () => {
    assert.deepEqual(parseServerSpec('files'), { label: 'files', require_approval: 'always' });
    assert.deepEqual(parseServerSpec('files,approval=never,tools=read|list'), { label: 'files', require_approval: 'never', allowed_tools: ['read', 'list'] });
    assert.throws(() => parseServerSpec('files,cwd=/tmp'), /unknown option "cwd" for a server named by label/);
  });

  it('the config file defines servers: a bare label or "inline" there is refused', () => {
    assert.throws(() => validateConfig({ servers: [{ label: 'files' }] }, 'c.json'), /servers\[0\]: give the server's "url" or its "command"/);
    assert.throws(
      () => validateConfig({ servers: [{ label: 'm', command: 'node', inline: true }] }, 'c.json'),
      /servers\[0\]\.inline: "inline" belongs in workflow inputs only/,
    );
    assert.equal(validateConfig({ defaults: { allow_inline_servers: true } }, 'c.json').defaults.allow_inline_servers, true);
  });

  it('rejects bad specs with the flag in the message', () => {
    assert.throws(() => parseServerSpec('http://x/mcp'), /--server "http:\/\/x\/mcp": expected label=url/);
    assert.throws(() => parseServerSpec('w=http://x/mcp,approval=sometimes'), /approval is always or never/);
    assert.throws(() => parseServerSpec('w=http://x/mcp,colour=red'), /unknown option "colour"/);
  });
});

describe('resolveConnectionSettings', () => {
  it('defaults to 127.0.0.1:7233 and namespace default', () => {
    const settings = resolveConnectionSettings({}, {}, { ...NO_TEMPORAL_FILE });
    assert.equal(settings.address, '127.0.0.1:7233');
    assert.equal(settings.namespace, 'default');
    assert.equal(settings.apiKey, undefined);
  });

  it('flags win over the environment, which wins over the config file', () => {
    const env = { ...NO_TEMPORAL_FILE, TEMPORAL_ADDRESS: 'env-host:7233', TEMPORAL_NAMESPACE: 'env-ns' };
    const file = { address: 'file-host:7233', namespace: 'file-ns' };
    assert.equal(resolveConnectionSettings({}, file, { ...NO_TEMPORAL_FILE }).address, 'file-host:7233');
    assert.equal(resolveConnectionSettings({}, file, env).address, 'env-host:7233');
    assert.equal(resolveConnectionSettings({}, file, env).namespace, 'env-ns');
    assert.equal(resolveConnectionSettings({ address: 'flag-host:1', namespace: 'flag-ns' }, file, env).address, 'flag-host:1');
  });

  it('reads a Temporal profile (temporal.toml) and TEMPORAL_API_KEY, and never prints the key', () => {
    const dir = dirWith({
      'temporal.toml': [
        '[profile.default]',
        'address = "default-host:7233"',
        '',
        '[profile.cloud]',
        'address = "ns.acct.tmprl.cloud:7233"',
        'namespace = "ns.acct"',
        'api_key = "secret-key-123"',
      ].join('\n'),
    });
    const env = { TEMPORAL_CONFIG_FILE: path.join(dir, 'temporal.toml') };
    assert.equal(resolveConnectionSettings({}, {}, env).address, 'default-host:7233');
    const cloud = resolveConnectionSettings({ profile: 'cloud' }, {}, env);
    assert.equal(cloud.address, 'ns.acct.tmprl.cloud:7233');
    assert.equal(cloud.namespace, 'ns.acct');
    assert.equal(cloud.apiKey, 'secret-key-123');
    assert.equal(cloud.tls, true, 'an API key turns TLS on');
    assert.equal(describeConnection(cloud), 'ns.acct.tmprl.cloud:7233, namespace ns.acct, TLS, API key set, profile cloud');
    assert.equal(resolveConnectionSettings({}, {}, { ...env, TEMPORAL_PROFILE: 'cloud', TEMPORAL_API_KEY: 'from-env' }).apiKey, 'from-env');
    assert.throws(
      () => resolveConnectionSettings({ profile: 'nope' }, {}, env),
      (error: unknown) => error instanceof ConfigError && /profile "nope"/.test(error.message),
    );
  });

  it('rejects an address that is not host:port', () => {
    assert.throws(() => resolveConnectionSettings({ address: 'http://localhost' }, {}, { ...NO_TEMPORAL_FILE }), /is not host:port/);
  });

  it('links to the Web UI of a loopback dev server', () => {
    assert.equal(webUiBaseUrl({ address: '127.0.0.1:7233' }, {}), 'http://127.0.0.1:8233');
    assert.equal(webUiBaseUrl({ address: 'temporal.example.com:7233' }, {}), undefined);
    assert.equal(webUiBaseUrl({ address: 'x:1' }, { MCPFLOW_UI_URL: 'https://ui.example.com/' }), 'https://ui.example.com');
    assert.equal(workflowUiUrl('http://127.0.0.1:8233', 'default', 'mcpflow-query-1'), 'http://127.0.0.1:8233/namespaces/default/workflows/mcpflow-query-1');
  });
});
