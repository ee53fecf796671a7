/**
 * Runs inside the workflow sandbox, as the last preloaded module (see shared-modules.ts): freezes
 * the exports object of every module loaded so far, so that the SDK's deep freeze of preloaded
 * modules stops there and leaves zod's schemas extensible (zod adds members to a schema on first
 * read). Exported plain data (objects and arrays such as EMPTY_CATALOG or ERROR_TABLE) is frozen
 * all the way down: a run that mutated it would change it for every later run, so it throws.
 */
declare const __webpack_modules__: Record<string, unknown>;

function isPlainData(value: unknown): value is object {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return Array.isArray(value) || prototype === Object.prototype || prototype === null;
}

function freezePlainData(value: object): void {
  if (Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const key of Reflect.ownKeys(value)) {
    const child = (value as Record<PropertyKey, unknown>)[key];
    if (isPlainData(child)) freezePlainData(child);
  }
}

const cache = (globalThis as { __webpack_module_cache__?: Record<string, { exports?: unknown } | undefined> }).__webpack_module_cache__;
if (cache) {
  for (const id of Object.keys(__webpack_modules__)) {
    const exports = cache[id]?.exports;
    if (exports === null || (typeof exports !== 'object' && typeof exports !== 'function')) continue;
    for (const key of Object.keys(exports)) {
      const value = (exports as Record<string, unknown>)[key];
      if (isPlainData(value)) freezePlainData(value);
    }
    Object.freeze(exports);
  }
}

export {};
