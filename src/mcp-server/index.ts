/** mcpflow as an MCP server (`mcpflow mcp-server`): durable runs as MCP tools and tasks, over Streamable HTTP or stdio. */
export { startMcpHttpServer, TokenRequiredError, MCP_PATH, type HttpListenOptions, type McpHttpServer } from './http';
export { serveMcpStdio } from './stdio';
export { buildMcpServer, TOOL_DESCRIPTIONS } from './tools';
export { RUN_ID_PREFIX, type McpServerOptions } from './options';
export { AskRefusedError } from './ask-input';
export { isLoopbackHost } from './auth';
