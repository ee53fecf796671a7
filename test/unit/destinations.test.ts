/** The destination rules (src/core/destinations.ts), pure: which URL and address each setting refuses, and by which rule. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkAddress, checkUrl, type AllowPrivateNetworks } from '../../src/core/destinations';
import { ServerConfigSchema } from '../../src/core/servers';
import { Command } from 'commander';
import { allowPrivateNetworksOption } from '../../src/cli/options';

const rule = (address: string, allow: AllowPrivateNetworks) => checkAddress(address, allow)?.rule;
const urlRule = (url: string, allow: AllowPrivateNetworks) => checkUrl(url, allow)?.rule;

describe('destination rules', () => {
  it('never allows metadata, link-local or unspecified addresses, IPv4-mapped IPv6 included', () => {
    for (const allow of [true, 'loopback', false] as const) {
      assert.equal(rule('169.254.169.254', allow), 'metadata');
      assert.equal(rule('::ffff:169.254.169.254', allow), 'metadata');
      assert.equal(rule('::ffff:a9fe:a9fe', allow), 'metadata');
      assert.equal(rule('fd00:ec2::254', allow), 'metadata');
      assert.equal(rule('169.254.1.1', allow), 'link-local');
      assert.equal(rule('fe80::1', allow), 'link-local');
      assert.equal(rule('0.0.0.0', allow), 'unspecified');
      assert.equal(rule('::', allow), 'unspecified');
      assert.equal(rule('::ffff:0.0.0.0', allow), 'unspecified');
      assert.equal(rule('93.184.216.34', allow), undefined);
      assert.equal(rule('2606:2800:220:1:248:1893:25c8:1946', allow), undefined);
      assert.equal(urlRule('http://metadata.google.internal/computeMetadata/v1/', allow), 'metadata');
      assert.equal(urlRule('http://[fd00:ec2::254]/latest/', allow), 'metadata');
      assert.equal(urlRule('http://[::ffff:169.254.169.254]/', allow), 'metadata');
      for (const url of ['file:///etc/passwd', 'gopher://127.0.0.1:70/', 'ftp://example.com/', 'javascript:alert(1)', 'ws://example.com/'])
        assert.equal(urlRule(url, allow), 'scheme', url);
    }
  });

  it('private and loopback ranges follow allow_private_networks', () => {
    for (const address of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1', 'fc00::1', 'fd12:3456::1', '::ffff:10.0.0.1']) {
      assert.equal(rule(address, false), 'private', address);
      assert.equal(rule(address, 'loopback'), 'private', address);
      assert.equal(rule(address, true), undefined, address);
    }
    for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) {
      assert.equal(rule(address, false), 'loopback', address);
      assert.equal(rule(address, 'loopback'), undefined, address);
    }
    assert.equal(rule('172.32.0.1', false), undefined);
    assert.equal(urlRule('http://localhost:8801/mcp', false), 'loopback');
    assert.equal(urlRule('http://localhost:8801/mcp', 'loopback'), undefined);
    assert.equal(urlRule('https://mcp.example.com/mcp', false), undefined);
  });

  it('a server config refuses what no setting allows, naming the rule', () => {
    for (const [url, expected] of [
      ['file:///etc/passwd', /destination refused \(scheme\)/],
      ['gopher://example.com/', /destination refused \(scheme\)/],
      ['http://169.254.169.254/latest/meta-data', /destination refused \(metadata\)/],
      ['http://0.0.0.0:8801/mcp', /destination refused \(unspecified\)/],
    ] as const) {
      const parsed = ServerConfigSchema.safeParse({ label: 'x', url });
      assert.equal(parsed.success, false, url);
      assert.match(parsed.error!.issues.map((issue) => issue.message).join('; '), expected);
    }
    assert.equal(ServerConfigSchema.safeParse({ label: 'x', url: 'http://10.0.0.5:8801/mcp' }).success, true, 'ranges are checked at connect time');
  });
});

describe('--allow-private-networks / MCPFLOW_ALLOW_PRIVATE_NETWORKS', () => {
  const parse = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const saved = process.env.MCPFLOW_ALLOW_PRIVATE_NETWORKS;
    if (env.MCPFLOW_ALLOW_PRIVATE_NETWORKS === undefined) delete process.env.MCPFLOW_ALLOW_PRIVATE_NETWORKS;
    else process.env.MCPFLOW_ALLOW_PRIVATE_NETWORKS = env.MCPFLOW_ALLOW_PRIVATE_NETWORKS;
    try {
      const command = new Command()
        .exitOverride()
        .configureOutput({ writeErr: () => undefined })
        .addOption(allowPrivateNetworksOption('test'));
      return command.parse(args, { from: 'user' }).opts<{ allowPrivateNetworks?: AllowPrivateNetworks }>().allowPrivateNetworks;
    } finally {
      if (saved === undefined) delete process.env.MCPFLOW_ALLOW_PRIVATE_NETWORKS;
      else process.env.MCPFLOW_ALLOW_PRIVATE_NETWORKS = saved;
    }
  };

  it('reads true, loopback and false from the flag or the environment, and leaves the config in charge when absent', () => {
    assert.equal(parse(['--allow-private-networks', 'true']), true);
    assert.equal(parse(['--allow-private-networks', 'loopback']), 'loopback');
    assert.equal(parse(['--allow-private-networks', 'false']), false);
    assert.equal(parse([], { MCPFLOW_ALLOW_PRIVATE_NETWORKS: 'loopback' }), 'loopback');
    assert.equal(parse([]), undefined);
  });

  it('refuses any other value, naming the choices', () => {
    assert.throws(() => parse(['--allow-private-networks', 'yes']), /true, loopback, false/);
  });
});
