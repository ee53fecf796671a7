/**
 * 2025-era serving with single JSON answers: the SDK's stateless idiom (a fresh server and
 * transport per request, no session) with `enableJsonResponse`, which its own
 * `legacyStatelessFallback` does not offer (that one always streams). Also what the test fixture
 * servers use.
 */
import { WebStandardStreamableHTTPServerTransport, type LegacyHttpHandler, type McpServer } from '@modelcontextprotocol/server';
import { jsonRpcError } from './http-util';

export function statelessJsonHandler(build: () => McpServer): LegacyHttpHandler {
  return async (request, options) => {
    if (request.method !== 'POST') return Response.json(jsonRpcError(null, -32000, 'Method not allowed.'), { status: 405, headers: { allow: 'POST' } });
    const server = build();
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    try {
      return await transport.handleRequest(request, { parsedBody: options?.parsedBody });
    } finally {
      // A JSON answer is complete once returned: nothing of this request's server is still needed.
      void transport.close().catch(() => undefined);
      void server.close().catch(() => undefined);
    }
  };
}
