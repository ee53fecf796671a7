/**
 * The database demo server (label "database"): read-only `query` over a tiny SQL subset and
 * `get_schema`. The demo setup restricts this server with allowed_tools ["query", "get_schema"].
 */
import { z } from 'zod';
import { TABLES } from './database-data';
import { executeSql, SqlError, SUPPORTED_SQL } from './sql';
import { defineTool, errorResult, jsonResult, type DemoTool } from './tool';

export function databaseTools(): DemoTool[] {
  return [
    defineTool({
      name: 'query',
      title: 'Query the database',
      description: `Run a read-only SQL query on the shop database (tables: ${Object.keys(TABLES).join(', ')}). ${SUPPORTED_SQL}.`,
      inputSchema: z.object({ sql: z.string().min(1).max(2000).describe('The SQL statement') }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      handler: ({ sql }) => {
        try {
          return jsonResult({ ...executeSql(sql, TABLES) });
        } catch (error) {
          if (error instanceof SqlError) return errorResult(`SQL error: ${error.message}`);
          throw error;
        }
      },
    }),
    defineTool({
      name: 'get_schema',
      title: 'Describe tables',
      description: 'Describe the database tables and their columns; pass a table name to describe only that table.',
      inputSchema: z.object({ table: z.string().min(1).optional().describe('Table name (omit for all tables)') }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      handler: ({ table }) => {
        const selected = table === undefined ? Object.values(TABLES) : [TABLES[table.trim().toLowerCase()]];
        if (selected.some((t) => t === undefined)) {
          return errorResult(`unknown table "${table ?? ''}"; tables: ${Object.keys(TABLES).join(', ')}`);
        }
        return jsonResult({
          tables: selected.flatMap((t) => (t ? [{ name: t.name, description: t.description, row_count: t.rows.length, columns: t.columns }] : [])),
        });
      },
    }),
  ];
}
