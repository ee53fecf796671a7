/**
 * The data converter every mcpflow worker and client uses: Temporal's default payload converter,
 * except that undecodable payloads reach handlers as a marker instead of failing workflow tasks
 * (src/core/payload-converter.ts). Loaded by path so the workflow bundle includes it.
 */
import type { DataConverter } from '@temporalio/common';

export const PAYLOAD_CONVERTER_PATH = require.resolve('../core/payload-converter');

export const dataConverter: DataConverter = { payloadConverterPath: PAYLOAD_CONVERTER_PATH };
