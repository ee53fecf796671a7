/**
 * CPU of the cluster's processes that are not one pid each, read from /proc (Linux; undefined
 * elsewhere): the Temporal server and PostgreSQL (a postmaster and one backend per connection)
 * started by this process, and the whole machine's busy time.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface ProcStat {
  pid: number;
  name: string;
  ppid: number;
  /** utime + stime + cutime + cstime in ticks: its own CPU and that of its children that have exited. */
  ticks: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const close = text.lastIndexOf(')');
  const name = text.slice(text.indexOf('(') + 1, close);
  // After the name: state ppid ... utime(12th) stime cutime cstime, counted from the state field.
  const fields = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0);
  return Number.isFinite(ticks) ? { pid, name, ppid: Number(fields[1]), ticks } : undefined;
}

/**
 * CPU ms of every process named `name` descended from this one. A process's exited children are
 * in its own cutime/cstime (PostgreSQL's backends of closed connections), so nothing is lost
 * when a backend ends, and nothing is counted twice while it runs.
 */
export function processTreeCpuMs(name: string): number | undefined {
  let pids: number[];
  try {
    pids = readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .map(Number);
  } catch {
    return undefined;
  }
  const stats = new Map<number, ProcStat>();
  for (const pid of pids) {
    const stat = readStat(pid);
    if (stat) stats.set(pid, stat);
  }
  const descends = (stat: ProcStat): boolean => {
    for (let parent = stats.get(stat.ppid); parent; parent = stats.get(parent.ppid)) if (parent.pid === process.pid) return true;
    return false;
  };
  const mine = [...stats.values()].filter((stat) => stat.name === name && descends(stat));
  return mine.length ? (mine.reduce((sum, stat) => sum + stat.ticks, 0) * 1000) / CLOCK_TICKS : undefined;
}

/** Busy CPU time of the whole machine (every core, all processes), in ms: /proc/stat's total minus idle and iowait. */
export function machineBusyMs(): number | undefined {
  try {
    const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
    const values = cpu!.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = values.reduce((sum, value) => sum + value, 0);
    return ((total - values[3]! - values[4]!) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
