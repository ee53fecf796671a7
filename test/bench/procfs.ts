/**
 * CPU time and memory of processes, read from /proc (Linux). Each reader returns undefined where
 * /proc cannot tell (another OS, a process that has exited), and the report shows "n/a".
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of utime/stime in /proc/<pid>/stat (almost always 100). */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The fields after the command name of a /proc stat line (the name may hold spaces and parentheses). */
function statFields(text: string): { name: string; fields: string[] } | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  return {
    name: text.slice(open + 1, close),
    fields: text
      .slice(close + 2)
      .trim()
      .split(/\s+/),
  };
}

/** utime + stime in ms of a stat line; fields[11] and fields[12] are stat's 14th and 15th fields. */
function statCpuMs(text: string | undefined): number | undefined {
  const parsed = text ? statFields(text) : undefined;
  if (!parsed) return undefined;
  const ticks = Number(parsed.fields[11]) + Number(parsed.fields[12]);
  return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS : undefined;
}

/** User + system CPU time of the whole process (every thread), in ms. */
export function processCpuMs(pid: number | undefined): number | undefined {
  return pid === undefined ? undefined : statCpuMs(read(`/proc/${pid}/stat`));
}

function statusKb(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number | undefined {
  if (pid === undefined) return undefined;
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(read(`/proc/${pid}/status`) ?? '');
  return match ? Number(match[1]) * 1024 : undefined;
}

/** Resident set size now, in bytes. */
export function rssBytes(pid: number | undefined): number | undefined {
  return statusKb(pid, 'VmRSS');
}

/** The highest resident set size the process has had, in bytes. */
export function peakRssBytes(pid: number | undefined): number | undefined {
  return statusKb(pid, 'VmHWM');
}

/**
 * CPU ms per kind of thread of a Node process running a Temporal worker. Node does not name its
 * threads: the main thread is the process id; the one `node` thread started after the Core SDK's
 * tokio threads is the worker_thread that runs the workflow sandbox; the other `node` threads are
 * V8's (garbage collection, compilation) and libuv's. Other threads keep their own name (digits
 * at the end dropped). Threads that have exited are not counted.
 */
export function threadCpuMs(pid: number | undefined): Map<string, number> {
  const totals = new Map<string, number>();
  if (pid === undefined) return totals;
  let tids: number[];
  try {
    tids = readdirSync(`/proc/${pid}/task`)
      .map(Number)
      .sort((a, b) => a - b);
  } catch {
    return totals;
  }
  const threads = tids.flatMap((tid) => {
    const text = read(`/proc/${pid}/task/${tid}/stat`);
    const parsed = text ? statFields(text) : undefined;
    const ms = statCpuMs(text);
    return parsed && ms !== undefined ? [{ tid, name: parsed.name, ms }] : [];
  });
  const firstTokio = threads.find((thread) => thread.name.startsWith('tokio'))?.tid ?? Number.POSITIVE_INFINITY;
  for (const { tid, name, ms } of threads) {
    const kind =
      tid === pid
        ? 'main (JS event loop)'
        : name === 'node'
          ? tid > firstTokio
            ? 'workflow thread'
            : 'V8 / libuv helpers'
          : name.replace(/[\s\d-]+$/, '') || name;
    totals.set(kind, (totals.get(kind) ?? 0) + ms);
  }
  return totals;
}

export interface Watched {
  name: string;
  pid: () => number | undefined;
}

export interface CpuSnapshot {
  at: number;
  cpuMs: Record<string, number | undefined>;
}

/** CPU of several processes at one moment; `cpuSince` gives what each used since an earlier snapshot. */
export class CpuMeter {
  constructor(private readonly watched: readonly Watched[]) {}

  snapshot(): CpuSnapshot {
    return {
      at: performance.now(),
      cpuMs: Object.fromEntries(this.watched.map(({ name, pid }) => [name, processCpuMs(pid())])),
    };
  }

  /** CPU ms each process used between `before` and now (undefined where unknown, e.g. a restarted process). */
  cpuSince(before: CpuSnapshot): Record<string, number | undefined> {
    const now = this.snapshot();
    return Object.fromEntries(
      this.watched.map(({ name }) => {
        const a = before.cpuMs[name];
        const b = now.cpuMs[name];
        return [name, a === undefined || b === undefined || b < a ? undefined : b - a];
      }),
    );
  }

  rss(): Record<string, number | undefined> {
    return Object.fromEntries(this.watched.map(({ name, pid }) => [name, rssBytes(pid())]));
  }

  peakRss(): Record<string, number | undefined> {
    return Object.fromEntries(this.watched.map(({ name, pid }) => [name, peakRssBytes(pid())]));
  }
}
