/**
 * Runs inside the workflow sandbox, as the last preloaded module (see shared-modules.ts): freezes
 * the exports object of every module loaded so far, so that the SDK's deep freeze of preloaded
 * modules stops there and leaves zod's schemas extensible (zod adds members to a schema on first
 * read). Exports stay read-only, which is what isolation between runs needs from them.
 */
declare const __webpack_modules__: Record<string, unknown>;

const cache = (globalThis as { __webpack_module_cache__?: Record<string, { exports?: unknown } | undefined> }).__webpack_module_cache__;
if (cache) {
  for (const id of Object.keys(__webpack_modules__)) {
    const exports = cache[id]?.exports;
    if (exports !== null && (typeof exports === 'object' || typeof exports === 'function')) Object.freeze(exports);
  }
}

export {};
