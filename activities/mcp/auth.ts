/**
 * OAuth on the worker: the MCP SDK's transports take an `authProvider` and ask it for the
 * token of every request, and again after a 401. This one reads tokens from the token store that `mcpflow auth <label>`
 * wrote, refreshes an expired access token with its refresh token (no person needed), and
 * otherwise fails at once, non-retryable, naming the command: the worker never starts an
 * interactive sign-in, registers a client or trusts an authorization server the sign-in did not check.
 */
import {
  OAuthError,
  OAuthErrorCode,
  refreshAuthorization,
  type AuthProvider,
  type FetchLike,
  type OAuthClientInformationMixed,
  type OAuthDiscoveryState,
  type OAuthTokens,
} from '@modelcontextprotocol/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  readTokenStore,
  readTokenStoreSync,
  serverKey,
  storedSecretValues,
  tokenStorePath,
  TokenStoreError,
  updateTokenStore,
  type StoredServer,
} from '../../src/auth/token-store';
import { DEFAULT_ALLOW_PRIVATE_NETWORKS, type AllowPrivateNetworks } from '../../src/core/destinations';
import { isOAuthServer, type ServerConfig } from '../../src/core/servers';
import { guardedFetch } from '../../src/net/destination-guard';
import { runtimeLog } from '../runtime-log';
import { mcpflowFailure } from '../../src/core/failures';

/** The worker's environment (./secrets.ts Env), named here so that secrets.ts can import this file and not the reverse. */
type Env = Record<string, string | undefined>;

/** An access token this close to its expiry is refreshed first: it could expire on the way. */
const EXPIRY_MARGIN_MS = 30_000;

/** The sign-in the worker cannot do: a non-retryable authentication failure that says what to run. */
export function signInRequired(label: string, file: string, why: string): ApplicationFailure {
  return mcpflowFailure(
    'authentication',
    `server ${label}: ${why}: run \`mcpflow auth ${label}\` (it signs in and writes the token store ${file}, which the worker reads; set MCPFLOW_TOKEN_STORE where both run if they differ), then try again`,
    { retryable: false },
  );
}

function storeFailure(label: string, error: TokenStoreError): ApplicationFailure {
  return mcpflowFailure('authentication', `server ${label}: ${error.message}`, { retryable: false });
}

/** Refreshes in flight, per token store and server. */
const refreshes = new Map<string, Promise<OAuthTokens>>();

/**
 * The transports' `authProvider` for an OAuth server: the SDK's minimal `AuthProvider` (a bearer
 * token before every request; after a 401 a chance to refresh, then one retry). The SDK's OAuth
 * flow (`auth()`: registration, redirects, discovery) stays out of the worker entirely.
 */
export class WorkerOAuthProvider implements AuthProvider {
  private entry: StoredServer | undefined;
  private storeVersion: string | undefined;
  /** Set when the authorization server refused the stored client or tokens: nothing more is tried until the store changes. */
  private refused: string | undefined;

  constructor(
    readonly label: string,
    readonly serverUrl: string,
    readonly file: string,
    private readonly fetchFn?: FetchLike,
  ) {}

  /** The stored entry, read again when the file changed (a new sign-in, another worker's refresh). */
  private async load(): Promise<StoredServer> {
    let snapshot;
    try {
      snapshot = await readTokenStore(this.file);
    } catch (error) {
      throw error instanceof TokenStoreError ? storeFailure(this.label, error) : error;
    }
    if (snapshot.version !== this.storeVersion) {
      this.storeVersion = snapshot.version;
      this.entry = snapshot.servers[serverKey(this.serverUrl)];
      this.refused = undefined;
    }
    if (!this.entry) throw signInRequired(this.label, this.file, `no OAuth token for ${this.serverUrl} in the token store`);
    if (this.refused) throw signInRequired(this.label, this.file, this.refused);
    return this.entry;
  }

  /** The access token of every request: refreshed first when it expires within 30 s. */
  async token(): Promise<string> {
    const entry = await this.load();
    if (entry.expires_at === undefined || entry.expires_at - EXPIRY_MARGIN_MS > Date.now()) return entry.tokens.access_token;
    if (!entry.tokens.refresh_token) throw signInRequired(this.label, this.file, 'the OAuth access token expired and there is no refresh token');
    return (await this.sharedRefresh(entry)).access_token;
  }

  /** The server refused the token before its expiry (revoked, a restarted server): one refresh, then the transport retries once. */
  async onUnauthorized(): Promise<void> {
    const entry = await this.load();
    if (!entry.tokens.refresh_token) throw signInRequired(this.label, this.file, 'the server refused the OAuth access token and there is no refresh token');
    await this.sharedRefresh(entry);
  }

  /** One refresh for every request waiting on it, under any label: a rotating refresh token can be used only once. */
  private sharedRefresh(entry: StoredServer): Promise<OAuthTokens> {
    const key = `${this.file}\n${serverKey(this.serverUrl)}`;
    let refreshing = refreshes.get(key);
    if (!refreshing) {
      refreshing = this.refresh(entry).finally(() => refreshes.delete(key));
      refreshes.set(key, refreshing);
    }
    return refreshing;
  }

  private async refresh(entry: StoredServer): Promise<OAuthTokens> {
    const discovery = entry.discovery as OAuthDiscoveryState;
    let tokens: OAuthTokens;
    try {
      tokens = await refreshAuthorization(discovery.authorizationServerUrl, {
        metadata: discovery.authorizationServerMetadata,
        clientInformation: entry.client as OAuthClientInformationMixed,
        refreshToken: entry.tokens.refresh_token!,
        // The metadata's indicator verbatim (a URL object would add "/" to a pathless one, which exact-matching servers refuse).
        ...(discovery.resourceMetadata?.resource ? { resource: discovery.resourceMetadata.resource } : {}),
        ...(this.fetchFn ? { fetchFn: this.fetchFn } : {}),
      });
    } catch (error) {
      // The server refused the refresh token (invalid_grant, a client it no longer knows): only a new sign-in helps.
      // A server_error (5xx, an unreadable answer) or a network failure may pass: retried like any connection failure.
      if (error instanceof OAuthError && error.code !== OAuthErrorCode.ServerError)
        this.refuse(`the authorization server refused to refresh the token (${error.code})`);
      throw error;
    }
    await this.save({ ...tokens, issuer: entry.issuer } as OAuthTokens);
    return this.entry!.tokens as OAuthTokens;
  }

  private refuse(why: string): never {
    this.refused = why;
    throw signInRequired(this.label, this.file, why);
  }

  private async save(tokens: OAuthTokens): Promise<void> {
    const entry = this.entry;
    if (!entry) return;
    const saved: StoredServer = {
      ...entry,
      tokens: { ...tokens, refresh_token: tokens.refresh_token ?? entry.tokens.refresh_token },
      updated_at: new Date().toISOString(),
    };
    if (tokens.expires_in !== undefined) saved.expires_at = Date.now() + tokens.expires_in * 1000;
    else delete saved.expires_at;
    this.entry = saved;
    try {
      await updateTokenStore(this.file, this.serverUrl, () => saved);
      // Our own write: no need to read it back.
      this.storeVersion = (await readTokenStore(this.file)).version;
    } catch (error) {
      // A read-only store (a mounted file): the refreshed tokens serve this worker from memory until it restarts.
      runtimeLog(
        'warn',
        `server ${this.label}: the refreshed OAuth tokens could not be written to ${this.file} (${error instanceof Error ? error.message : String(error)}): this worker keeps them in memory`,
        { server: this.label },
      );
    }
  }
}

/**
 * The guarded fetch answers with the `undici` package's Response, which the SDK's OAuth error
 * parsing does not recognise (`instanceof Response`): a refused refresh (invalid_grant) would
 * read as a server error. Answers that are not successes are handed over as the global kind
 * (they are small: an OAuth error document).
 */
function withGlobalResponse(fetchFn: FetchLike): FetchLike {
  return async (url, init) => {
    // Typed as the global Response, which is exactly what it may not be at run time.
    const response = await fetchFn(url, init);
    const seen: unknown = response;
    if (seen instanceof Response || response.ok || response.status < 200 || response.status > 599) return response;
    return new Response(await response.arrayBuffer(), { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** One provider per token store and server, so that a refresh is shared by every connection to it. */
const providers = new Map<string, WorkerOAuthProvider>();

/**
 * The transport's `authProvider` for an OAuth server, undefined for any other. Its own requests
 * (a refresh) go through the destination guard like the connection's.
 */
export function oauthProviderFor(
  server: ServerConfig,
  env: Env,
  allow: AllowPrivateNetworks = DEFAULT_ALLOW_PRIVATE_NETWORKS,
): WorkerOAuthProvider | undefined {
  if (!isOAuthServer(server)) return undefined;
  const file = tokenStorePath(env);
  const key = JSON.stringify([file, serverKey(server.url), server.label, allow]);
  let provider = providers.get(key);
  if (!provider) {
    provider = new WorkerOAuthProvider(server.label, server.url, file, withGlobalResponse(guardedFetch(allow)));
    providers.set(key, provider);
  }
  return provider;
}

/**
 * The access token for hosted mode, where the model's platform calls the server with it (as
 * `authorization`). Read as it is: a refresh needs the network, which this synchronous step has
 * not; an expired token without a direct-mode call to refresh it asks for a sign-in.
 */
export function hostedOAuthToken(server: ServerConfig, env: Env): string | undefined {
  if (!isOAuthServer(server)) return undefined;
  const file = tokenStorePath(env);
  const entry = readTokenStoreSync(file).servers[serverKey(server.url)];
  if (!entry) throw signInRequired(server.label, file, `no OAuth token for ${server.url} in the token store`);
  if (entry.expires_at !== undefined && entry.expires_at - EXPIRY_MARGIN_MS <= Date.now()) {
    throw signInRequired(server.label, file, 'the OAuth access token expired (hosted mode cannot refresh it; a direct-mode query would)');
  }
  return entry.tokens.access_token;
}

/** The stored token values of an OAuth server (access and refresh token, client secret), to keep out of outputs and messages. */
export function oauthSecretValues(server: ServerConfig, env: Env): string[] {
  return isOAuthServer(server) ? storedSecretValues(tokenStorePath(env), server.url) : [];
}
