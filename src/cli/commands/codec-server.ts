/**
 * `mcpflow codec-server`: decrypts payloads for the Temporal Web UI and CLI with the same keys
 * as the workers (MCPFLOW_ENCRYPTION_KEYS / MCPFLOW_ENCRYPTION_KEY_FILE), so people see tool
 * arguments and results in clear while the server stores ciphertext. Closed by default: a token
 * (given, or generated and printed), and only its own Host names and the UI's Origin.
 */
import { randomBytes } from 'node:crypto';
import { Option, type Command } from 'commander';
import { AesGcmPayloadCodec } from '../../codec/aes-gcm-codec';
import { KEY_FILE_ENV, KEYS_ENV, keyRingFromEnv } from '../../codec/keys';
import { generateCodecToken, startCodecServer, uiCodecEndpoint, uiOrigins } from '../../codec/server';
import { webUiBaseUrl } from '../../config/connection';
import { commandContext } from '../context';
import { UsageError } from '../errors';
import { parseListenPortFlag } from '../options';
import { toStdout } from '../output';
import { waitForStopSignal } from '../signals';

export const DEFAULT_CODEC_PORT = 8081;
export const CODEC_TOKEN_ENV = 'MCPFLOW_CODEC_TOKEN';

interface CodecServerFlags {
  host: string;
  port: number;
  corsOrigin?: string[];
  allowHost?: string[];
  token?: string;
  insecureNoToken?: boolean;
  generateKey?: boolean;
}

export function registerCodecServerCommand(program: Command): void {
  program
    .command('codec-server')
    .description(
      `Decrypt payloads for the Temporal Web UI and CLI (Temporal codec server protocol) with the workers' keys (${KEYS_ENV} or ${KEY_FILE_ENV}); needs a token (${CODEC_TOKEN_ENV}, else one is generated and printed)`,
    )
    .addOption(new Option('--host <host>', 'address to listen on').default('127.0.0.1'))
    .addOption(
      new Option('--port <port>', 'port to listen on (0 = any free port)').argParser(parseListenPortFlag).env('MCPFLOW_CODEC_PORT').default(DEFAULT_CODEC_PORT),
    )
    .addOption(new Option('--cors-origin <origin...>', "browser origins allowed to call it (default: the Web UI's, see MCPFLOW_UI_URL)"))
    .addOption(new Option('--allow-host <name...>', 'host names the Host header may carry besides loopback and --host (the name people browse to)'))
    .addOption(
      new Option('--token <token>', "the token callers must send (Authorization: Bearer, or as the endpoint's first path segment); default: generated").env(
        CODEC_TOKEN_ENV,
      ),
    )
    .addOption(new Option('--insecure-no-token', 'serve /decode to anyone who can reach the port (and no /encode)'))
    .addOption(new Option('--generate-key', `print a new "id:key" entry for ${KEYS_ENV} and exit`))
    .action(async (flags: CodecServerFlags, command: Command) => {
      if (flags.generateKey) {
        const id = `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`;
        toStdout(`${id}:${randomBytes(32).toString('base64')}`);
        return;
      }
      const keys = keyRingFromEnv();
      if (!keys)
        throw new UsageError(
          `the codec server needs the workers' keys: set ${KEYS_ENV} (id:key,...) or ${KEY_FILE_ENV}; create a key with \`mcpflow codec-server --generate-key\``,
        );
      if (flags.insecureNoToken && flags.token) throw new UsageError(`--insecure-no-token and a token (--token or ${CODEC_TOKEN_ENV}) exclude each other`);
      const context = commandContext(command);
      const corsOrigins = flags.corsOrigin ?? uiOrigins(webUiBaseUrl(context.connection));
      for (const origin of corsOrigins) {
        if (!/^https?:\/\/[^/\s]+$/.test(origin))
          throw new UsageError(`--cors-origin ${origin}: an origin is scheme://host[:port] with no path, e.g. http://localhost:8080`);
      }
      const generated = !flags.insecureNoToken && !flags.token;
      const token = flags.insecureNoToken ? undefined : flags.token || generateCodecToken();
      const handle = await startCodecServer({
        codec: new AesGcmPayloadCodec(keys),
        host: flags.host,
        port: flags.port,
        corsOrigins,
        token,
        ...(flags.allowHost ? { allowedHosts: flags.allowHost } : {}),
      });
      toStdout(`mcpflow codec server on ${handle.url} (encrypting with key "${keys.active.id}", ${keys.byId.size} key(s) for decryption)`);
      if (token === undefined) toStdout('WARNING: no token: anyone who can reach this port can decrypt; /encode is off.');
      else if (generated) toStdout(`Token (generated; pass ${CODEC_TOKEN_ENV} to choose one): ${token}`);
      toStdout(`CORS origins: ${corsOrigins.length ? corsOrigins.join(', ') : 'none (pass --cors-origin for the Web UI)'}`);
      // A token the user chose is not printed (it may be shared by other processes); a generated one is, once above.
      const shown = token === undefined ? undefined : generated ? token : '<token>';
      const endpoint = shown === '<token>' ? `${handle.url}/<token>` : uiCodecEndpoint(handle.url, shown);
      toStdout(`Web UI: set the codec server to ${endpoint} (or TEMPORAL_CODEC_ENDPOINT=${endpoint}; \`mcpflow server --ui-codec-endpoint ${endpoint}\`)`);
      toStdout(`temporal CLI: --codec-endpoint ${handle.url}${shown === undefined ? '' : ` --codec-auth "Bearer ${shown}"`}`);
      const signal = await waitForStopSignal();
      toStdout(`Received ${signal}, stopping the codec server.`);
      await handle.close();
    });
}
