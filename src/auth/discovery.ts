/**
 * Finding and checking a server's authorization server, as the MCP authorization rules say:
 * the server's protected resource metadata (RFC 9728, from its 401's `WWW-Authenticate` or the
 * well-known URL) names the authorization server; that server's metadata (RFC 8414 / OpenID
 * discovery) must name itself as `issuer` (RFC 8414 §3.3, checked by the SDK), support
 * PKCE with S256, and use HTTPS (loopback excepted). Done once, by `mcpflow auth`: the result is
 * stored with the tokens, and the worker trusts nothing else (a 401 cannot redirect it to
 * another authorization server).
 */
import {
  assertSecureTokenEndpoint,
  checkResourceAllowed,
  discoverAuthorizationServerMetadata,
  discoverOAuthProtectedResourceMetadata,
  extractWWWAuthenticateParams,
  InsecureTokenEndpointError,
  IssuerMismatchError,
  LATEST_PROTOCOL_VERSION,
  resourceUrlFromServerUrl,
  type FetchLike,
  type OAuthDiscoveryState,
} from '@modelcontextprotocol/client';
import { McpflowError } from '../core/mcpflow-error';

/** The server's authorization setup cannot be used: the message names what is wrong. */
export class OAuthDiscoveryError extends McpflowError {}

export interface ValidatedDiscovery {
  /** What the SDK's `auth()` would discover, already checked: given to it so that it discovers nothing itself. */
  state: OAuthDiscoveryState;
  /** The authorization server's issuer identifier. */
  issuer: string;
  /** The scope the server's 401 asked for, if it named one. */
  challengeScope?: string;
  /** The authorization server includes `iss` in its redirect (RFC 9207): the callback must carry it. */
  issParameterRequired: boolean;
}

/**
 * OAuth 2.1: every authorization server endpoint over HTTPS, plain HTTP only on loopback. The
 * SDK's rule for the token endpoint (it refuses an insecure one at the exchange), applied to all
 * three up front: before the person is sent anywhere.
 */
function assertSecureEndpoint(name: string, value: unknown): void {
  if (typeof value !== 'string') return;
  try {
    assertSecureTokenEndpoint(value);
  } catch (error) {
    if (error instanceof InsecureTokenEndpointError)
      throw new OAuthDiscoveryError(`the authorization server's ${name} ${value} is not HTTPS: refusing to send credentials over it`);
    throw new OAuthDiscoveryError(`the authorization server's ${name} "${value}" is not a URL`);
  }
}

/** Asks the server without a token: a protected server answers 401 and may point to its metadata and the scope it needs. */
async function challenge(serverUrl: string, fetchFn: FetchLike): Promise<{ resourceMetadataUrl?: URL; scope?: string }> {
  let response: Response;
  try {
    response = await fetchFn(serverUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': LATEST_PROTOCOL_VERSION },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'mcpflow', version: '0.1.0' } },
      }),
    });
  } catch (error) {
    throw new OAuthDiscoveryError(
      `cannot reach ${serverUrl}: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`,
    );
  }
  await response.body?.cancel().catch(() => undefined);
  if (response.status !== 401) return {};
  const { resourceMetadataUrl, scope } = extractWWWAuthenticateParams(response);
  return { ...(resourceMetadataUrl ? { resourceMetadataUrl } : {}), ...(scope ? { scope } : {}) };
}

export async function discoverAuthorization(serverUrl: string, fetchFn: FetchLike = fetch): Promise<ValidatedDiscovery> {
  const { resourceMetadataUrl, scope } = await challenge(serverUrl, fetchFn);
  let resourceMetadata;
  try {
    resourceMetadata = await discoverOAuthProtectedResourceMetadata(serverUrl, resourceMetadataUrl ? { resourceMetadataUrl } : {}, fetchFn);
  } catch (error) {
    throw new OAuthDiscoveryError(
      `${serverUrl} publishes no usable OAuth protected resource metadata (RFC 9728): ${error instanceof Error ? error.message : String(error)}; ` +
        'it is not an OAuth-protected MCP server (give a token with "authorization": { "env": "NAME" } instead)',
    );
  }
  if (!checkResourceAllowed({ requestedResource: resourceUrlFromServerUrl(serverUrl), configuredResource: resourceMetadata.resource })) {
    throw new OAuthDiscoveryError(
      `${serverUrl} describes itself as the resource ${resourceMetadata.resource}, which is not this server: refusing its metadata`,
    );
  }
  const authorizationServerUrl = resourceMetadata.authorization_servers?.[0];
  if (!authorizationServerUrl)
    throw new OAuthDiscoveryError(`the protected resource metadata of ${serverUrl} names no authorization server ("authorization_servers")`);
  let metadata;
  try {
    // The SDK refuses metadata whose `issuer` is not the URL it was fetched for (RFC 8414 §3.3).
    metadata = await discoverAuthorizationServerMetadata(authorizationServerUrl, { fetchFn });
  } catch (error) {
    if (error instanceof IssuerMismatchError) {
      throw new OAuthDiscoveryError(
        `the authorization server ${authorizationServerUrl} publishes metadata for the issuer ${error.received ?? '(none)'}: they must be the same (RFC 8414 §3.3); refusing it`,
      );
    }
    throw new OAuthDiscoveryError(
      `cannot read the metadata of the authorization server ${authorizationServerUrl}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!metadata)
    throw new OAuthDiscoveryError(`the authorization server ${authorizationServerUrl} publishes no metadata (RFC 8414 or OpenID Connect discovery)`);
  if (!metadata.code_challenge_methods_supported?.includes('S256')) {
    throw new OAuthDiscoveryError(
      `the authorization server ${metadata.issuer} does not announce PKCE with S256 ("code_challenge_methods_supported"), which MCP requires`,
    );
  }
  assertSecureEndpoint('authorization_endpoint', metadata.authorization_endpoint);
  assertSecureEndpoint('token_endpoint', metadata.token_endpoint);
  assertSecureEndpoint('registration_endpoint', metadata.registration_endpoint);
  return {
    state: {
      authorizationServerUrl,
      ...(resourceMetadataUrl ? { resourceMetadataUrl: resourceMetadataUrl.href } : {}),
      resourceMetadata,
      authorizationServerMetadata: metadata,
    },
    issuer: metadata.issuer,
    ...(scope ? { challengeScope: scope } : {}),
    issParameterRequired: (metadata as { authorization_response_iss_parameter_supported?: boolean }).authorization_response_iss_parameter_supported === true,
  };
}
