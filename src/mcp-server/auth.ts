/**
 * The bearer token of `mcpflow mcp-server` off loopback, checked with the MCP SDK's own helpers
 * (`verifyBearerToken`, `bearerAuthChallengeResponse`: 401 with a `WWW-Authenticate` challenge).
 * The verifier compares in constant time: the token is a shared secret, not an OAuth token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { OAuthError, OAuthErrorCode, type AuthInfo, type OAuthTokenVerifier } from '@modelcontextprotocol/server';

/** The client id runs record for a caller with the shared token (`approver`: "… (token mcpflow-token)"). */
export const TOKEN_CLIENT_ID = 'mcpflow-token';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export function staticTokenVerifier(expected: string): OAuthTokenVerifier {
  const want = digest(expected);
  return {
    verifyAccessToken(token: string): Promise<AuthInfo> {
      // Hashing first gives equal lengths, so timingSafeEqual compares every byte whatever was sent.
      if (!timingSafeEqual(digest(token), want)) return Promise.reject(new OAuthError(OAuthErrorCode.InvalidToken, 'invalid bearer token'));
      // The SDK refuses a token without an expiry; a shared token lasts as long as the process.
      return Promise.resolve({ token: 'redacted', clientId: TOKEN_CLIENT_ID, scopes: [], expiresAt: Math.floor(Date.now() / 1000) + 3_600 });
    },
  };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '[::1]']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}
