/**
 * No process a stdio server started may outlive it. The process group (./stdio-process-group.ts)
 * reaches what stays in the group; a descendant that called `setsid` (a daemonizing helper) left
 * it, and once its parent died it belongs to init: no parent link leads to it any more. What it
 * keeps is its environment: every stdio server starts with MCPFLOW_STDIO_OWNER=<mark>, inherited
 * by everything it starts, and a sweep of /proc finds them by it (plus, by parent links, the
 * descendants of those that cleared their environment while their parent still lives).
 *
 * The mark names the worker process (pid and start time, so a reused pid is not mistaken for it):
 * a worker that starts sweeps what workers no longer running left behind (a SIGKILLed worker
 * closes nothing).
 *
 * Why not a subreaper or a cgroup: PR_SET_CHILD_SUBREAPER needs a native addon in Node, and a
 * cgroup needs a writable, delegated cgroup v2 tree, which neither this test machine (cgroup v1,
 * a tmpfs /sys/fs/cgroup) nor an unprivileged container has. The sweep needs Linux's /proc and
 * the permission to read a process's environ (same user, or root); elsewhere it finds nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

export const OWNER_ENV = 'MCPFLOW_STDIO_OWNER';
const GRACE_MS = 2_000;
const POLL_MS = 50;

interface ProcessEntry {
  pid: number;
  ppid: number;
  startTicks: string;
}

/** pid, parent pid and start time from /proc/<pid>/stat (the name may hold spaces and parentheses). */
function readStat(pid: number): ProcessEntry | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the name: state(0) ppid(1) ... starttime is field 22 of the whole line, 19 here.
    return { pid, ppid: Number(fields[1]), startTicks: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

function ownerMarkOf(pid: number): string | undefined {
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    const prefix = `${OWNER_ENV}=`;
    for (const entry of environ.split('\0')) if (entry.startsWith(prefix)) return entry.slice(prefix.length);
  } catch {
    // Gone, or not ours to read.
  }
  return undefined;
}

function listProcesses(): ProcessEntry[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) return [];
    const entry = readStat(Number(name));
    return entry ? [entry] : [];
  });
}

const self = readStat(process.pid);
let serial = 0;
// A worker started by another worker's stdio server must not hand that mark on to what it starts.
delete process.env[OWNER_ENV];

/** A new server's mark: this worker (pid and start time), then a number of its own. */
export function newOwnerMark(): string {
  serial++;
  return `${process.pid}.${self?.startTicks ?? '0'}.${serial}.${randomBytes(4).toString('hex')}`;
}

/** Processes whose mark satisfies `match`, with every descendant of theirs still linked by its parent. */
export function markedProcesses(match: (mark: string) => boolean): number[] {
  const all = listProcesses();
  const found = new Set(
    all
      .filter((entry) => {
        const mark = ownerMarkOf(entry.pid);
        return mark !== undefined && match(mark);
      })
      .map((entry) => entry.pid),
  );
  for (let grew = found.size > 0; grew;) {
    grew = false;
    for (const entry of all) {
      if (!found.has(entry.pid) && found.has(entry.ppid)) {
        found.add(entry.pid);
        grew = true;
      }
    }
  }
  return [...found];
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to every process the mark matches, SIGKILL to those still there after 2 s. Returns how many there were. */
export async function sweepMarked(match: (mark: string) => boolean): Promise<number> {
  const pids = markedProcesses(match);
  if (!pids.length) return 0;
  for (const pid of pids) signal(pid, 'SIGTERM');
  for (let waited = 0; waited < GRACE_MS && markedProcesses(match).length; waited += POLL_MS) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  // Looked up again: a pid that ended in the meantime may belong to someone else by now.
  for (const pid of markedProcesses(match)) signal(pid, 'SIGKILL');
  return pids.length;
}

/** Ends every process of one server (its mark), however far it strayed from its group. */
export function sweepServer(mark: string): Promise<number> {
  return sweepMarked((found) => found === mark);
}

/** Whether the worker process a mark names has ended (its pid gone, or reused by a process started later). */
function ownerGone(mark: string): boolean {
  const [pid, startTicks] = mark.split('.');
  if (!pid || !/^\d+$/.test(pid)) return false;
  if (Number(pid) === process.pid) return startTicks !== self?.startTicks;
  const owner = readStat(Number(pid));
  return !owner || owner.startTicks !== startTicks;
}

/** At a worker's start: ends what stdio servers of workers that no longer run left behind (after a SIGKILL, say). */
export function sweepOrphansOfEndedWorkers(): Promise<number> {
  return sweepMarked(ownerGone);
}
