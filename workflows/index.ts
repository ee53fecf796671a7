/** Every workflow the worker registers. */
export { discoverTools } from './discovery';
export { runQuery } from './query';
export { mcpSession } from './session';
export { refreshSession } from './refresh';
export { runBatch } from './batch';
export { batchLines } from './batch/held';
