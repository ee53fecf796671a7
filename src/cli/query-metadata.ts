/**
 * `query --metadata '{…}'` and `--script '{…}'`: the Responses request metadata a batch line can
 * carry (`"metadata"`), for one query. The emulator reads `mcpflow_script` as the model's plan
 * (src/emulator/README.md, "Scripting the model"); the real API keeps metadata as tags.
 */
import { InvalidArgumentError } from 'commander';
import { z } from 'zod';
import { describeZodError } from '../core/zod-errors';
import { UsageError } from './errors';
import { parseScript, SCRIPT_METADATA_KEY } from '../emulator/script';

/** The API's limits: 16 pairs, keys up to 64 characters, string values up to 512. */
const MetadataSchema = z
  .record(z.string().min(1).max(64, 'a key is at most 64 characters'), z.string().max(512, 'a value is at most 512 characters'))
  .refine((metadata) => Object.keys(metadata).length <= 16, 'at most 16 keys');

export function parseMetadataFlag(value: string): Record<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError(`not JSON: give an object of strings, for example --metadata '{"team": "ops"}'`);
  }
  const parsed = MetadataSchema.safeParse(json);
  if (!parsed.success) throw new InvalidArgumentError(`${describeZodError(parsed.error)}: give an object of strings, for example --metadata '{"team": "ops"}'`);
  return parsed.data;
}

/** The script is checked here as the emulator would check it, so a typo is exit 2 and not a failed run. */
export function parseScriptFlag(value: string): string {
  const parsed = parseScript(value);
  if (!parsed.ok)
    throw new InvalidArgumentError(
      `${parsed.message}: for example --script '{"calls":[{"server":"calendar","tool":"list_events","arguments":{"date":"today"}}]}'`,
    );
  const compact = JSON.stringify(JSON.parse(value));
  if (compact.length > 512)
    throw new InvalidArgumentError(`the script is ${compact.length} characters as JSON, at most 512 (the API's limit for a metadata value)`);
  return compact;
}

/** --metadata and --script together; the script wins over a `mcpflow_script` key of --metadata. */
export function queryMetadata(metadata: Record<string, string> | undefined, script: string | undefined): Record<string, string> | undefined {
  if (metadata === undefined && script === undefined) return undefined;
  const merged = { ...metadata, ...(script !== undefined ? { [SCRIPT_METADATA_KEY]: script } : {}) };
  if (Object.keys(merged).length > 16) throw new UsageError('--metadata and --script together give more than 16 keys: at most 16');
  return merged;
}
