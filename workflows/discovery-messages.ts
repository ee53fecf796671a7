/** discoverTools: its input and result (see ./messages.ts). */
import { z } from 'zod';
import { RequiredServersShape, RunOptionsShape } from './run-options';
import { RecordedErrorSchema } from '../src/core/errors';
import { CatalogDiffSchema, CatalogSchema } from '../src/core/tools';

export const DiscoveryInputSchema = z.object({
  ...RequiredServersShape,
  ...RunOptionsShape,
  previous_catalog: CatalogSchema.optional(),
});
export type DiscoveryInput = z.input<typeof DiscoveryInputSchema>;

export const ServerDiscoverySchema = z.object({
  label: z.string(),
  status: z.enum(['ok', 'error']),
  tool_count: z.number().int(),
  attempts: z.number().int(),
  error: RecordedErrorSchema.nullable(),
});
export const DiscoveryResultSchema = z.object({
  catalog: CatalogSchema,
  diff: CatalogDiffSchema,
  servers: z.array(ServerDiscoverySchema),
  discovered_at: z.string(),
});
export type DiscoveryResult = z.infer<typeof DiscoveryResultSchema>;
