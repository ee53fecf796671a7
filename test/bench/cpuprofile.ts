/**
 * Reads V8 .cpuprofile files (node --cpu-prof) into self time per area (zod, the Temporal SDK,
 * mcpflow's workflows / activities / core, node internals, GC, idle), the top functions, and the
 * time spent evaluating modules of the workflow bundle (webpack's __webpack_require__: with
 * reuseV8Context every workflow run evaluates the bundle's modules again). Frames inside the
 * workflow bundle are mapped to their module with the bundle's own `/***\/ "path"` markers.
 */
import { readFileSync } from 'node:fs';
import { markdownTable, ms1 } from './markdown';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  /** Sampled wall time of the thread, ms. */
  totalMs: number;
  /** Time not idle, ms. */
  busyMs: number;
  areas: Array<{ area: string; selfMs: number }>;
  functions: Array<{ name: string; where: string; area: string; selfMs: number }>;
  /** Inclusive time of outermost __webpack_require__ calls (module evaluation), ms. */
  moduleEvaluationMs: number;
  /** Self time per bundled module, ms (top ones). */
  bundleModules: Array<{ module: string; selfMs: number }>;
  /**
   * Module evaluation per module: samples under a module's factory (webpack names each factory
   * after its module), attributed to the innermost one, i.e. that module's own top-level code
   * and what it calls (zod schema construction), without the modules it requires.
   */
  moduleEvaluation: Array<{ module: string; ms: number }>;
}

const WEBPACK_RUNTIME = '(webpack runtime)';

/** Line ranges of the modules in a webpack development bundle: line (0-based) → module path. */
export function bundleModuleIndex(code: string): (line: number) => string | undefined {
  const starts: Array<{ line: number; module: string }> = [];
  const lines = code.split('\n');
  lines.forEach((text, line) => {
    const match = /^\/\*\*\*\/ "([^"]+)"/.exec(text);
    if (match) starts.push({ line, module: match[1]! });
    // After the modules: webpack's own runtime (__webpack_require__ and its helpers).
    else if (/^\/\*{60,}\/$/.test(text)) starts.push({ line, module: WEBPACK_RUNTIME });
  });
  return (line) => {
    let low = 0;
    let high = starts.length - 1;
    let found: string | undefined;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (starts[mid]!.line <= line) {
        found = starts[mid]!.module;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  };
}

function areaOf(frame: CallFrame, bundleModule: string | undefined): string {
  const name = frame.functionName;
  if (name === '(idle)') return '(idle)';
  if (name === '(garbage collector)') return '(garbage collector)';
  if (name === '(program)' || name === '(root)') return '(program: native, not JS)';
  const path = bundleModule ?? frame.url;
  if (bundleModule !== undefined || /workflow-bundle/.test(frame.url)) {
    if (!bundleModule || bundleModule === WEBPACK_RUNTIME) return 'workflow bundle: webpack runtime';
    if (/node_modules\/zod\//.test(path)) return 'workflow bundle: zod';
    if (/@temporalio\/workflow/.test(path)) return 'workflow bundle: @temporalio/workflow';
    if (/@temporalio\/common/.test(path)) return 'workflow bundle: @temporalio/common';
    if (/node_modules\/(ajv|ajv-formats|fast-uri|json-schema-traverse|fast-deep-equal)\//.test(path)) return 'workflow bundle: ajv';
    if (/node_modules\//.test(path)) return `workflow bundle: ${/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? 'other'}`;
    if (/\/workflows\//.test(path)) return 'workflow bundle: mcpflow workflows/';
    if (/\/src\/core\//.test(path)) return 'workflow bundle: mcpflow src/core/';
    return 'workflow bundle: other';
  }
  if (!path) return '(native / anonymous)';
  if (path.startsWith('node:')) return 'node internals';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
  if (pkg) return pkg;
  const local = /\/(activities|workflows|src\/[^/]+|test)\//.exec(path)?.[1];
  return local ? `mcpflow ${local}/` : path;
}

function shortWhere(frame: CallFrame, bundleModule: string | undefined): string {
  const path = bundleModule ?? frame.url.replace(/^file:\/\//, '');
  const short = path
    .replace(/^.*node_modules\//, '')
    .replace(/^.*\/(activities|workflows|src|test)\//, '$1/')
    .replace(/^\.\//, '');
  return bundleModule ? short : `${short}:${frame.lineNumber + 1}`;
}

/** CLOCK_MONOTONIC in µs, the clock of V8's profile timestamps on Linux: marks the window to read. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * Summarizes one profile; with `window` (µs of monotonicMicros()) only the samples taken inside
 * it count, so that start-up and warm-up stay out.
 */
export function summarizeProfile(file: string, bundleCode: string | undefined, window?: { fromUs: number; toUs: number }): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const moduleOf = bundleCode ? bundleModuleIndex(bundleCode) : () => undefined;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time before sample i: attribute each interval to the sample that ends it.
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (window && (at < window.fromUs || at > window.toUs)) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });

  const inBundle = (frame: CallFrame) => /workflow-bundle/.test(frame.url);
  const areas = new Map<string, number>();
  const functions = new Map<string, { name: string; where: string; area: string; selfMs: number }>();
  const modules = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    const module = inBundle(frame) ? moduleOf(frame.lineNumber) : undefined;
    const area = areaOf(frame, module);
    totalUs += us;
    if (area === '(idle)') idleUs += us;
    areas.set(area, (areas.get(area) ?? 0) + us / 1000);
    const where = shortWhere(frame, module);
    const key = `${frame.functionName}@${where}`;
    const entry = functions.get(key) ?? { name: frame.functionName || '(anonymous)', where, area, selfMs: 0 };
    entry.selfMs += us / 1000;
    functions.set(key, entry);
    if (module) modules.set(module, (modules.get(module) ?? 0) + us / 1000);
  }

  // Inclusive time of outermost __webpack_require__ frames.
  const isRequire = (id: number) => byId.get(id)?.callFrame.functionName === '__webpack_require__';
  const outermostRequire = new Map<number, number | undefined>();
  const findOutermost = (id: number): number | undefined => {
    if (outermostRequire.has(id)) return outermostRequire.get(id);
    const up = parent.get(id);
    const above = up === undefined ? undefined : findOutermost(up);
    const result = above ?? (isRequire(id) ? id : undefined);
    outermostRequire.set(id, result);
    return result;
  };
  let moduleUs = 0;
  for (const [id, us] of selfUs) if (findOutermost(id) !== undefined) moduleUs += us;
  const evaluation = new Map<string, number>();
  for (const [id, us] of selfUs) {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = byId.get(at)!.callFrame.functionName;
      if (name.startsWith('./')) {
        evaluation.set(name, (evaluation.get(name) ?? 0) + us / 1000);
        break;
      }
    }
  }

  return {
    file,
    totalMs: totalUs / 1000,
    busyMs: (totalUs - idleUs) / 1000,
    areas: [...areas].map(([area, selfMs]) => ({ area, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
    functions: [...functions.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, 25),
    moduleEvaluationMs: moduleUs / 1000,
    bundleModules: [...modules]
      .map(([module, selfMs]) => ({ module, selfMs }))
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, 15),
    moduleEvaluation: [...evaluation]
      .map(([module, value]) => ({ module, ms: value }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 15),
  };
}

/** Markdown of one profile, per query when `queries` is given. */
export function profileMarkdown(title: string, summary: ProfileSummary, queries: number): string {
  const per = (value: number) => ms1(value / queries);
  return [
    `#### ${title}`,
    '',
    `Sampled ${ms1(summary.totalMs)} ms, busy ${ms1(summary.busyMs)} ms = ${per(summary.busyMs)} ms per query (${queries} queries; busy is sampled time the thread was not idle, which on a loaded 2-core machine includes time the OS ran other threads: read the shares, and the CPU from /proc above). Module evaluation (outermost \`__webpack_require__\`, inclusive): ${ms1(summary.moduleEvaluationMs)} ms = ${per(summary.moduleEvaluationMs)} ms per query.`,
    '',
    markdownTable(
      ['area (self time)', 'ms per query', 'share of busy'],
      summary.areas
        .filter((area) => area.area !== '(idle)')
        .slice(0, 15)
        .map((area) => [area.area, per(area.selfMs), `${((100 * area.selfMs) / Math.max(1, summary.busyMs)).toFixed(0)}%`]),
    ),
    '',
    markdownTable(
      ['function (self time)', 'where', 'ms per query'],
      summary.functions
        .filter((fn) => fn.area !== '(idle)')
        .slice(0, 15)
        .map((fn) => [fn.name, fn.where, per(fn.selfMs)]),
      'llr',
    ),
    '',
    ...(summary.bundleModules.length
      ? [
          markdownTable(
            ['bundled module (self time)', 'ms per query'],
            summary.bundleModules.slice(0, 10).map((module) => [module.module, per(module.selfMs)]),
          ),
          '',
        ]
      : []),
    ...(summary.moduleEvaluation.length
      ? [
          markdownTable(
            ['module evaluated per run (its own top-level code, without what it requires)', 'ms per query'],
            summary.moduleEvaluation.slice(0, 12).map((module) => [module.module, per(module.ms)]),
          ),
          '',
        ]
      : []),
  ].join('\n');
}
