/**
 * McpflowPlugin's options are checked when it is built, with the CLI's errors for the same
 * settings; and what it adds to a user's worker, client and bundler options (pure functions of
 * the options: no server needed; consumer.test.ts runs it for real).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { WorkerOptions } from '@temporalio/worker';
import { EncryptionConfigError, keyRingFromEnv } from '../../src/codec/keys';
import { validateConfig } from '../../src/config/load';
import { MCPFLOW_WORKFLOWS_PATH, McpflowPlugin, McpflowPluginOptionsError, type McpflowPluginOptions } from '../../src/worker';
import { HEARTBEAT_THROTTLE_MS } from '../../src/core/timing';

const KEY = Buffer.alloc(32, 7).toString('base64');

function refusal(options: unknown): Error {
  try {
    new McpflowPlugin(options as McpflowPluginOptions);
  } catch (error) {
    return error as Error;
  }
  assert.fail(`accepted ${JSON.stringify(options)}`);
}

function cliRefusal(env: NodeJS.ProcessEnv): string {
  try {
    keyRingFromEnv(env);
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail('the CLI accepted the keys');
}

describe('McpflowPlugin options', () => {
  it('refuses a bad option at construction, naming the option and the fix', () => {
    const networks = refusal({ allowPrivateNetworks: 'yes' });
    assert.ok(networks instanceof McpflowPluginOptionsError);
    assert.match(networks.message, /allowPrivateNetworks: not one of true, loopback, false/);
    assert.match(refusal({ openaiBaseURL: 'ftp://example.com' }).message, /openaiBaseURL: not an http\(s\) URL/);
    assert.match(refusal({ openaiApiKey: '' }).message, /openaiApiKey: the API key is empty/);
    assert.match(refusal({ apiKey: 'sk-1' }).message, /apiKey/, 'an unknown option is named, not ignored');
  });

  it("refuses bad encryption keys with the CLI's errors", () => {
    const short = refusal({ encryptionKeys: 'k1:c2hvcnQ=' });
    assert.ok(short instanceof EncryptionConfigError);
    assert.equal(short.message, cliRefusal({ MCPFLOW_ENCRYPTION_KEYS: 'k1:c2hvcnQ=' }));
    assert.equal(
      refusal({ encryptionKeys: `k1:${KEY}`, encryptionKeyFile: '/nonexistent' }).message,
      cliRefusal({ MCPFLOW_ENCRYPTION_KEYS: `k1:${KEY}`, MCPFLOW_ENCRYPTION_KEY_FILE: '/nonexistent' }),
    );
  });

  it("refuses a bad `servers` entry with the config file's error for the same entry, naming the field", () => {
    const cliIssue = (servers: unknown[]): string => {
      try {
        validateConfig({ servers }, 'mcpflow.config.json');
      } catch (error) {
        return (error as Error).message.split('\n')[1]!.trim();
      }
      assert.fail('the config accepted the servers');
    };
    const cases: unknown[][] = [
      [{ label: 'api', url: 'not a url' }],
      [{ label: 'api', url: 'https://mcp.example.com/mcp', authorization: 'sk-plain-value' }],
      [{ label: 'files', command: 'node', inline: true }],
      [{ label: 'files' }],
      [{ label: 'files', command: 'node', headrs: {} }],
      [
        { label: 'a', url: 'https://mcp.example.com/mcp' },
        { label: 'a', url: 'https://mcp.example.com/other' },
      ],
    ];
    for (const servers of cases) {
      const error = refusal({ servers });
      assert.ok(error instanceof McpflowPluginOptionsError, String(error));
      const issue = cliIssue(servers);
      assert.match(issue, /^servers/, issue);
      assert.ok(error.message.includes(issue), `${error.message}\n  lacks the config's\n${issue}`);
    }
    assert.match(refusal({ servers: [{ label: 'api', url: 'not a url' }] }).message, /servers\[0\]\.url: must be the MCP endpoint URL/);
    assert.match(refusal({ allowInlineServers: 'yes' }).message, /allowInlineServers: /);
  });

  it('resolves `servers` and `allowInlineServers` into the registry the activities check (default: none, no inline)', () => {
    assert.deepEqual(new McpflowPlugin({ env: {} }).settings.serverRegistry, { servers: [], allowInline: false });
    const plugin = new McpflowPlugin({
      env: {},
      allowInlineServers: true,
      servers: [{ label: 'files', command: 'node', args: ['server.js'], env: { TOKEN: { env: 'FILES_TOKEN' } } }],
    });
    assert.equal(plugin.settings.serverRegistry.allowInline, true);
    assert.deepEqual(plugin.settings.serverRegistry.servers, [
      { label: 'files', command: 'node', args: ['server.js'], env: { TOKEN: { env: 'FILES_TOKEN' } }, require_approval: 'always' },
    ]);
  });

  it('gives the activities their environment from the options, without touching process.env', () => {
    const plugin = new McpflowPlugin({
      openaiApiKey: 'sk-test',
      tokenStore: '/tmp/tokens.json',
      env: { GITHUB_TOKEN: 'gh' },
      allowPrivateNetworks: 'loopback',
    });
    assert.deepEqual(plugin.settings.env, { GITHUB_TOKEN: 'gh', OPENAI_API_KEY: 'sk-test', MCPFLOW_TOKEN_STORE: '/tmp/tokens.json' });
    assert.equal(plugin.settings.allowPrivateNetworks, 'loopback');
    assert.equal(new McpflowPlugin({ env: {} }).settings.allowPrivateNetworks, false, 'no private network unless asked, as `mcpflow worker`');
    assert.notEqual(process.env.OPENAI_API_KEY, 'sk-test');
  });
});

describe('McpflowPlugin in a worker', () => {
  const userActivities = { loadTicket: async () => 'ticket' };
  const base = { taskQueue: 'pipelines', workflowsPath: '/app/workflows.js', activities: userActivities } as WorkerOptions;

  it("adds mcpflow's activities, workflows, converter, interceptors and shared modules to the user's", () => {
    const configured = new McpflowPlugin({ env: {} }).configureWorker(base);
    const activities = configured.activities as Record<string, unknown>;
    assert.equal(activities.loadTicket, userActivities.loadTicket, "the user's activities stay");
    assert.ok('callResponsesApi' in activities, "mcpflow's activities are added");
    const entry = readFileSync(configured.workflowsPath!, 'utf8');
    assert.ok(entry.includes(JSON.stringify('/app/workflows.js')) && entry.includes(JSON.stringify(MCPFLOW_WORKFLOWS_PATH)), entry);
    assert.match(configured.dataConverter?.failureConverterPath ?? '', /failure-converter/);
    assert.equal(configured.dataConverter?.payloadCodecs?.length, 1);
    assert.ok((configured.interceptors?.activity?.length ?? 0) >= 1);
    assert.match(configured.bundlerOptions?.preloadModules?.at(-1) ?? '', /seal-shared-modules/);
    assert.equal(configured.maxHeartbeatThrottleInterval, HEARTBEAT_THROTTLE_MS);
    assert.equal(configured.taskQueue, 'pipelines', "the user's task queue");
  });

  it("keeps the user's own settings and a prebuilt bundle, and refuses activities named like mcpflow's", () => {
    const plugin = new McpflowPlugin({ env: {} });
    const configured = plugin.configureWorker({ ...base, workflowsPath: undefined, workflowBundle: { code: '' }, maxHeartbeatThrottleInterval: '5s' });
    assert.equal(configured.workflowsPath, undefined, 'a worker takes a bundle or a path, not both');
    assert.equal(configured.maxHeartbeatThrottleInterval, '5s');
    assert.equal(plugin.configureWorker({ taskQueue: 'q' }).workflowsPath, MCPFLOW_WORKFLOWS_PATH, "without user workflows: mcpflow's alone");
    assert.throws(
      () => plugin.configureWorker({ ...base, activities: { callResponsesApi: async () => undefined } }),
      /callResponsesApi have the names of mcpflow's activities/,
    );
  });

  it("gives clients the codec without the worker's plaintext refusal, and bundles with mcpflow's converters", () => {
    const plugin = new McpflowPlugin({ env: {}, encryptionKeys: `k1:${KEY}` });
    assert.equal(plugin.configureClient({}).dataConverter?.payloadCodecs?.length, 1);
    const bundle = plugin.configureBundler({ workflowsPath: '/app/workflows.js' });
    assert.match(bundle.payloadConverterPath ?? '', /payload-converter/);
    assert.match(bundle.failureConverterPath ?? '', /failure-converter/);
    assert.notEqual(bundle.workflowsPath, '/app/workflows.js');
  });

  it("with a queue of its own, leaves the user's worker and bundle to the user (mcpflow runs beside it)", () => {
    const plugin = new McpflowPlugin({ env: {}, taskQueue: 'mcpflow' });
    const configured = plugin.configureWorker(base);
    assert.deepEqual(Object.keys(configured.activities as object), ['loadTicket']);
    assert.equal(configured.workflowsPath, '/app/workflows.js');
    assert.match(configured.dataConverter?.failureConverterPath ?? '', /failure-converter/, "it still reads mcpflow's payloads (child results)");
    assert.equal(plugin.configureBundler({ workflowsPath: '/app/workflows.js' }).workflowsPath, '/app/workflows.js');
    assert.ok('callResponsesApi' in (plugin.configureWorker({ taskQueue: 'mcpflow' }).activities as object), 'on its own queue: everything');
  });
});
