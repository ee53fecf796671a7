/**
 * The shell blocks of README.md as commands: each fenced `sh`/`bash` block under the heading it
 * sits below, continuation lines joined, comments and blank lines dropped.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/temporal';

export interface ReadmeBlock {
  /** The nearest heading above the block, without its #s. */
  heading: string;
  /** 1-based line of the opening fence. */
  line: number;
  commands: string[];
}

export function readmeShellBlocks(file = path.join(REPO_ROOT, 'README.md')): ReadmeBlock[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks: ReadmeBlock[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const title = /^#{1,6}\s+(.*)$/.exec(line);
    if (title) heading = title[1]!.trim();
    const fence = /^```(\w*)\s*$/.exec(line);
    if (!fence) continue;
    const body: string[] = [];
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) body.push(lines[end++]!);
    if (fence[1] === 'sh' || fence[1] === 'bash') blocks.push({ heading, line: i + 1, commands: commandsOf(body) });
    i = end;
  }
  return blocks;
}

function commandsOf(body: readonly string[]): string[] {
  const commands: string[] = [];
  let pending = '';
  for (const raw of body) {
    const line = withoutComment(raw).trimEnd();
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const command = (pending + line.trim()).trim();
    pending = '';
    if (command) commands.push(command);
  }
  return commands;
}

/** A `#` outside quotes that starts a word begins a comment (as the shell reads it). */
function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}
