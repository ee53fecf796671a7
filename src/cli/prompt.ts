/**
 * Asks a person at a terminal to approve or deny a tool call (node:readline). The question goes
 * to stderr so that stdout stays clean for --json.
 */
import { createInterface } from 'node:readline/promises';
import type { PendingApproval } from '../../workflows/messages';

export interface ApprovalDecision {
  approve: boolean;
  reason?: string;
}

/** Whether questions can be asked: stdin is a terminal. */
export function canPrompt(): boolean {
  return process.stdin.isTTY === true;
}

/** Resolves undefined when `signal` aborts first (the query ended, or someone else answered). */
export async function askApproval(approval: PendingApproval, signal: AbortSignal): Promise<ApprovalDecision | undefined> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  // The terminal is in raw mode: Ctrl-C reaches readline, not the process. Hand it on, so it
  // does what it does while watching (stop, exit 130, the query continues in Temporal).
  rl.on('SIGINT', () => {
    rl.close();
    process.kill(process.pid, 'SIGINT');
  });
  try {
    const args = JSON.stringify(approval.arguments);
    for (;;) {
      const answer = (await rl.question(`Approve ${approval.server} · ${approval.tool} ${args}? [y/n] `, { signal })).trim().toLowerCase();
      if (answer !== 'y' && answer !== 'yes' && answer !== 'n' && answer !== 'no') {
        process.stderr.write('Please answer y or n.\n');
        continue;
      }
      const reason = (await rl.question('Reason (optional, Enter to skip): ', { signal })).trim();
      return { approve: answer.startsWith('y'), ...(reason ? { reason } : {}) };
    }
  } catch (error) {
    if (signal.aborted) return undefined;
    throw error;
  } finally {
    rl.close();
  }
}

/** Asks a yes/no question on stderr; anything but y / yes is no. */
export async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    const answer = (await rl.question(question)).trim().toLowerCase();
    return answer === 'y' || answer === 'yes';
  } finally {
    rl.close();
  }
}
