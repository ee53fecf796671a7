/** Processes on this machine found with `ps`, for the tests that count what a stdio server left running. */
import { execFileSync } from 'node:child_process';

/** Every process whose command line mentions `marker` (a test's own directory), this test process aside. */
export function processesMentioning(marker: string): number[] {
  const lines = execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' }).split('\n');
  return lines.flatMap((line) => {
    const match = /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(line);
    // Zombies (Z) have ended: only their parent has not read their exit yet.
    return match && match[3]!.includes(marker) && !match[2]!.startsWith('Z') && Number(match[1]) !== process.pid ? [Number(match[1])] : [];
  });
}

/** SIGKILL to whatever a failed test left behind (its processes only: they carry its directory). */
export function killMentioning(marker: string): void {
  for (const pid of processesMentioning(marker)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}
