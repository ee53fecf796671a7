/**
 * The failure converter of every mcpflow worker, workflow sandbox and client: Temporal's default
 * one with `encodeCommonAttributes`, so a failure's message and stack trace (tool error text, an
 * HTTP 401 body, a stack) travel in its `encodedAttributes` payload, which the payload codec
 * encrypts like any other; the failure itself only says "Encoded failure". SDK clients (and so
 * every mcpflow command) decode it back. It is on with or without keys, because a workflow
 * bundle is built before anyone knows whether its worker will have keys, and so that workers
 * with and without keys write the same failures.
 *
 * Loaded by path (`failureConverterPath`) in the worker, in the workflow sandbox and in clients,
 * so it imports only @temporalio/common.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
