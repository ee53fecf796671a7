/**
 * A pooled connection's MCP session may be forgotten by the server (a restart, an expiry): it
 * then answers HTTP 404 to the session id, and the MCP spec says the client MUST start a new
 * session with a new `initialize`. The request that got the 404 was not processed, so sending it
 * again on a new session is safe, even for a tool with side effects: the pool does that once.
 * It does not when an earlier request of the same use was already answered (a tool call that ran
 * before the session was lost must not run twice): that use fails as before and Temporal's retry
 * policy decides.
 */
import type { Transport } from '@modelcontextprotocol/client';
import { McpSessionExpiredError } from '../../errors';

/** The server forgot the session before it answered anything of this use: the use may be run again on a new session. */
export class McpSessionLostBeforeUseError extends McpSessionExpiredError {}

/** A counter of the responses (results and errors) the transport delivered, from now on. */
export function countResponses(transport: Transport): () => number {
  let answered = 0;
  const deliver = transport.onmessage;
  transport.onmessage = (message, extra) => {
    if ('id' in message && ('result' in message || 'error' in message)) answered++;
    deliver?.(message, extra);
  };
  return () => answered;
}

/** The error a 404 on the session id becomes: renewable when nothing of this use was answered. */
export function sessionExpired(cause: unknown, nothingAnswered: boolean): McpSessionExpiredError {
  return nothingAnswered ? new McpSessionLostBeforeUseError(cause) : new McpSessionExpiredError(cause);
}

/** Runs `use` again, once, on a new session when the server forgot the old one before answering any of it. */
export async function renewingLostSession<T>(use: () => Promise<T>): Promise<T> {
  try {
    return await use();
  } catch (error) {
    if (!(error instanceof McpSessionLostBeforeUseError)) throw error;
    return use();
  }
}
