/** The kind of tool the admin endpoint adds at run time: it echoes its message, so a catalog change is visible and callable. */
import { z } from 'zod';
import type { AddTool } from './schemas';
import { defineTool, type DemoTool } from './tool';

export function echoTool(spec: AddTool): DemoTool {
  return defineTool({
    name: spec.name,
    title: spec.title,
    description: spec.description,
    inputSchema: z.object({ message: z.string().describe('Text to echo back') }),
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    handler: ({ message }) => ({ content: [{ type: 'text', text: message }] }),
  });
}
