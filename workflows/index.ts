/** Every workflow the worker registers. */
export { discoverTools } from './discovery';
export { runQuery } from './query';
