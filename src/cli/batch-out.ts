/**
 * The `--out` file of a batch: one JSON line per finished line, each written once. Ids already
 * in the file (an earlier `batch run` of the same file) are not written again.
 */
import fs from 'node:fs';
import type { LineResult } from '../client/batch';

export class ResultsFile {
  private readonly written = new Set<string>();
  private readonly fd: number | null;

  constructor(readonly path: string | undefined, options: { append: boolean }) {
    if (!path) {
      this.fd = null;
      return;
    }
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
  }
}
