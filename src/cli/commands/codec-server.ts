/**
 * `mcpflow codec-server`: decrypts payloads for the Temporal Web UI and CLI with the same keys
 * as the workers (MCPFLOW_ENCRYPTION_KEYS / MCPFLOW_ENCRYPTION_KEY_FILE), so people see tool
 * arguments and results in clear while the server stores ciphertext.
 */
import { randomBytes } from 'node:crypto';
import { Option, type Command } from 'commander';
import { AesGcmPayloadCodec } from '../../codec/aes-gcm-codec';
import { KEY_FILE_ENV, KEYS_ENV, keyRingFromEnv } from '../../codec/keys';
import { startCodecServer } from '../../codec/server';
import { webUiBaseUrl } from '../../config/connection';
import { commandContext } from '../context';
import { UsageError } from '../errors';
import { parseListenPortFlag } from '../options';
import { toStdout } from '../output';
import { waitForStopSignal } from '../signals';

export const DEFAULT_CODEC_PORT = 8081;
const TOKEN_ENV = 'MCPFLOW_CODEC_TOKEN';

interface CodecServerFlags {
  host: string;
  port: number;
  corsOrigin?: string[];
  generateKey?: boolean;
}

/** The Web UI's origin (MCPFLOW_UI_URL, else the dev server's), under both loopback names. */
function defaultOrigins(uiBase: string | undefined): string[] {
  if (!uiBase) return [];
  const origin = new URL(uiBase).origin;
  const other = origin.includes('//127.0.0.1') ? origin.replace('//127.0.0.1', '//localhost') : origin.replace('//localhost', '//127.0.0.1');
  return [...new Set([origin, other])];
}

export function registerCodecServerCommand(program: Command): void {
  program
    .command('codec-server')
    .description(`Decrypt payloads for the Temporal Web UI and CLI (Temporal codec server protocol) with the workers' keys (${KEYS_ENV} or ${KEY_FILE_ENV}; bearer token from ${TOKEN_ENV} when set)`)
    .addOption(new Option('--host <host>', 'address to listen on').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'port to listen on (0 = any free port)').argParser(parseListenPortFlag).env('MCPFLOW_CODEC_PORT').default(DEFAULT_CODEC_PORT))
    .addOption(new Option('--cors-origin <origin...>', "browser origins allowed to call it (default: the Web UI's, see MCPFLOW_UI_URL)"))
    .addOption(new Option('--generate-key', `print a new "id:key" entry for ${KEYS_ENV} and exit`))
    .action(async (flags: CodecServerFlags, command: Command) => {
      if (flags.generateKey) {
        const id = `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`;
        toStdout(`${id}:${randomBytes(32).toString('base64')}`);
        return;
      }
      const keys = keyRingFromEnv();
      if (!keys) throw new UsageError(`the codec server needs the workers' keys: set ${KEYS_ENV} (id:key,...) or ${KEY_FILE_ENV}; create a key with \`mcpflow codec-server --generate-key\``);
      const context = commandContext(command);
      const corsOrigins = flags.corsOrigin ?? defaultOrigins(webUiBaseUrl(context.connection));
      for (const origin of corsOrigins) {
        if (!/^https?:\/\/[^/\s]+$/.test(origin)) throw new UsageError(`--cors-origin ${origin}: an origin is scheme://host[:port] with no path, e.g. http://localhost:8080`);
      }
      const token = process.env[TOKEN_ENV] || undefined;
      const handle = await startCodecServer({ codec: new AesGcmPayloadCodec(keys), host: flags.host, port: flags.port, corsOrigins, ...(token ? { token } : {}) });
      toStdout(`mcpflow codec server on ${handle.url} (encrypting with key "${keys.active.id}", ${keys.byId.size} key(s) for decryption${token ? ', bearer token required' : ''})`);
      toStdout(`CORS origins: ${corsOrigins.length ? corsOrigins.join(', ') : 'none (pass --cors-origin for the Web UI)'}`);
      toStdout(`Web UI: set the codec server to ${handle.url} (or start the UI with TEMPORAL_CODEC_ENDPOINT=${handle.url}); temporal CLI: --codec-endpoint ${handle.url}`);
      const signal = await waitForStopSignal();
      toStdout(`Received ${signal}, stopping the codec server.`);
      await handle.close();
    });
}
