/**
 * The interactive OAuth sign-in behind `mcpflow auth <label>`, run by the CLI (never by a
 * workflow or the worker): checked discovery (./discovery.ts), dynamic client registration
 * (RFC 7591) unless a client id is configured, the authorization code flow with PKCE (S256),
 * `state` (here) and `iss` (RFC 9207, the SDK's check) on the way back, the RFC 8707 resource indicator, and
 * the result written to the token store (./token-store.ts). The MCP SDK's `auth()` does the
 * protocol; this file gives it a provider that keeps everything in memory until the end.
 */
import { randomBytes } from 'node:crypto';
import {
  auth,
  IssuerMismatchError,
  validateAuthorizationResponseIssuer,
  type FetchLike,
  type OAuthClientInformationMixed,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type OAuthTokens,
  type StoredOAuthClientInformation,
} from '@modelcontextprotocol/client';
import type { OAuthSettings } from '../core/servers';
import { startCallbackListener } from './callback';
import { SignInError } from './errors';
import { discoverAuthorization, type ValidatedDiscovery } from './discovery';
import { updateTokenStore, type StoredServer } from './token-store';

export { SignInError };

export interface SignInOptions {
  label: string;
  serverUrl: string;
  settings: OAuthSettings;
  storeFile: string;
  /** Shows the authorization URL to the person (and may open a browser). */
  showUrl: (url: URL) => void;
  /** Port of the loopback redirect listener; 0 (default) picks a free one. */
  port?: number;
  timeoutMs: number;
  fetchFn?: FetchLike;
}

export interface SignInResult {
  file: string;
  issuer: string;
  expiresAt?: number;
  scope?: string;
  refreshable: boolean;
}

/** Keeps what `auth()` hands over in memory; nothing reaches the store before the tokens do. */
class SignInProvider implements OAuthClientProvider {
  client: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;
  private verifier: string | undefined;
  readonly stateValue = randomBytes(32).toString('base64url');

  constructor(
    readonly redirectUrl: string,
    private readonly discovery: ValidatedDiscovery,
    private readonly settings: OAuthSettings,
    private readonly show: (url: URL) => void,
  ) {
    // Stamped with its authorization server, as the SDK stamps the clients it registers (SEP-2352: unstamped, it warns).
    if (settings.client_id) this.client = { client_id: settings.client_id, issuer: discovery.issuer } as StoredOAuthClientInformation;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'mcpflow',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      // A public client: the CLI cannot keep a secret; PKCE protects the code.
      token_endpoint_auth_method: 'none',
      ...(this.settings.scope ? { scope: this.settings.scope } : {}),
    };
  }

  state(): string {
    return this.stateValue;
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.client;
  }

  saveClientInformation(client: OAuthClientInformationMixed): void {
    this.client = client;
  }

  tokens(): OAuthTokens | undefined {
    // A sign-in always asks anew (an old refresh token is what the person wants replaced).
    return this.saved;
  }

  saveTokens(tokens: OAuthTokens): void {
    this.saved = tokens;
  }

  redirectToAuthorization(url: URL): void {
    this.show(url);
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new SignInError('no PKCE verifier: the sign-in did not start');
    return this.verifier;
  }

  discoveryState(): OAuthDiscoveryState {
    return this.discovery.state;
  }

  saveDiscoveryState(): void {
    // The checked discovery stays.
  }
}

/** The SDK's RFC 9207 check of the answer's `iss`, as a sign-in error. */
function assertAnswerIssuer(iss: string | undefined, discovery: ValidatedDiscovery): void {
  try {
    validateAuthorizationResponseIssuer({ iss, expectedIssuer: discovery.issuer, issParameterSupported: discovery.issParameterRequired });
  } catch (error) {
    if (!(error instanceof IssuerMismatchError)) throw error;
    throw new SignInError(
      iss === undefined
        ? `the sign-in answer does not name its issuer, which ${discovery.issuer} announces it does: refusing it`
        : `the sign-in answer comes from ${iss}, not from ${discovery.issuer}: refusing it`,
    );
  }
}

export async function signIn(options: SignInOptions): Promise<SignInResult> {
  const fetchFn = options.fetchFn ?? fetch;
  const discovery = await discoverAuthorization(options.serverUrl, fetchFn);
  const listener = await startCallbackListener(options.port ?? 0);
  try {
    const provider = new SignInProvider(listener.redirectUrl, discovery, options.settings, options.showUrl);
    const scope = options.settings.scope ?? discovery.challengeScope;
    const common = { serverUrl: options.serverUrl, ...(scope ? { scope } : {}), fetchFn };
    if ((await auth(provider, common)) !== 'REDIRECT') throw new SignInError('the authorization server did not start a sign-in');
    const answer = await listener.answer(provider.stateValue, options.timeoutMs);
    // RFC 9207 first: an answer from another authorization server (a mix-up) is refused, and its
    // error text, which that server chose, is not shown.
    assertAnswerIssuer(answer.iss, discovery);
    if (answer.error)
      throw new SignInError(`the authorization server refused the sign-in: ${answer.error}${answer.errorDescription ? ` (${answer.errorDescription})` : ''}`);
    if (!answer.code) throw new SignInError('the sign-in answer carries no authorization code');
    // `iss` again: the SDK checks it too before it exchanges the code.
    const exchanged = await auth(provider, { ...common, authorizationCode: answer.code, ...(answer.iss !== undefined ? { iss: answer.iss } : {}) });
    if (exchanged !== 'AUTHORIZED' || !provider.saved || !provider.client) {
      throw new SignInError('the authorization server gave no tokens');
    }
    const tokens = provider.saved;
    const entry: StoredServer = {
      label: options.label,
      server_url: options.serverUrl,
      issuer: discovery.state.authorizationServerUrl,
      redirect_url: listener.redirectUrl,
      client: provider.client,
      tokens: { ...tokens },
      ...(tokens.expires_in !== undefined ? { expires_at: Date.now() + tokens.expires_in * 1000 } : {}),
      discovery: discovery.state as StoredServer['discovery'],
      updated_at: new Date().toISOString(),
    };
    await updateTokenStore(options.storeFile, options.serverUrl, () => entry);
    return {
      file: options.storeFile,
      issuer: discovery.issuer,
      ...(entry.expires_at !== undefined ? { expiresAt: entry.expires_at } : {}),
      ...(tokens.scope ? { scope: tokens.scope } : {}),
      refreshable: !!tokens.refresh_token,
    };
  } finally {
    await listener.close();
  }
}
