/**
 * The `--out` file of a batch: one JSON line per finished line, each written once. Ids already
 * in the file (an earlier `batch run` of the same file) are not written again.
 *
 * One writer at a time: `<out>.lock` (created exclusively, holding the pid and host) is taken
 * before anything starts, and a second `batch run` with the same --out is refused naming the
 * first. Refused rather than waiting: both would follow the same batch, so the second has nothing
 * the first does not write; a lock left by a process that is gone (same host) is taken over.
 */
import fs from 'node:fs';
import os from 'node:os';
import type { LineResult } from '../client/batch';
import { UsageError } from './errors';

export class ResultsFile {
  private readonly written = new Set<string>();
  private readonly fd: number | null;
  private lock: string | null = null;
  private readonly dropLock = () => this.releaseLock();

  constructor(
    readonly path: string | undefined,
    options: { append: boolean },
  ) {
    if (!path) {
      this.fd = null;
      return;
    }
    this.takeLock(`${path}.lock`);
    if (options.append && fs.existsSync(path)) {
      const content = fs.readFileSync(path, 'utf8');
      // A torn last line (the CLI was killed mid-write) is cut off; its result is fetched and written again.
      const complete = content.slice(0, content.lastIndexOf('\n') + 1);
      if (complete.length !== content.length) fs.truncateSync(path, Buffer.byteLength(complete));
      for (const row of complete.split('\n')) {
        if (!row.trim()) continue;
        try {
          const id = (JSON.parse(row) as { id?: unknown }).id;
          if (typeof id === 'string') this.written.add(id);
        } catch {
          // Not one of ours: left as it is.
        }
      }
      this.fd = fs.openSync(path, 'a');
    } else this.fd = fs.openSync(path, 'w');
  }

  has(id: string): boolean {
    return this.written.has(id);
  }

  get count(): number {
    return this.written.size;
  }

  /** Writes the result unless its id is already in the file; true when written. */
  write(result: LineResult): boolean {
    if (this.written.has(result.id)) return false;
    this.written.add(result.id);
    if (this.fd !== null) fs.writeSync(this.fd, `${JSON.stringify(result)}\n`);
    return true;
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.releaseLock();
  }

  private takeLock(lock: string) {
    const mine = JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() });
    for (let attempt = 0; ; attempt++) {
      try {
        fs.writeFileSync(lock, mine, { flag: 'wx' });
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
        const holder = readLock(lock);
        if (holder && (holder.host !== os.hostname() || isAlive(holder.pid))) {
          throw new UsageError(
            `${this.path} is being written by another mcpflow (pid ${holder.pid} on ${holder.host}, since ${holder.since}): ` +
              `wait for it, or give another --out (delete ${lock} if that process is gone)`,
          );
        }
        fs.rmSync(lock, { force: true });
      }
    }
    this.lock = lock;
    process.once('exit', this.dropLock);
  }

  private releaseLock() {
    if (!this.lock) return;
    fs.rmSync(this.lock, { force: true });
    this.lock = null;
    process.removeListener('exit', this.dropLock);
  }
}

function readLock(lock: string): { pid: number; host: string; since: string } | null {
  try {
    const value = JSON.parse(fs.readFileSync(lock, 'utf8')) as { pid?: unknown; host?: unknown; since?: unknown };
    if (typeof value.pid === 'number' && typeof value.host === 'string') return { pid: value.pid, host: value.host, since: String(value.since) };
  } catch {
    // Torn or foreign: treated as stale.
  }
  return null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
