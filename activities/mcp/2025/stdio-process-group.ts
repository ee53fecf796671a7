/**
 * The SDK's stdio client transport, with one change: the program leads a process group of its
 * own, and every signal goes to the whole group. Many MCP servers are launchers (npx, uvx, a
 * shell script) or start helpers of their own (a language server, a file watcher); the SDK
 * signals only the program it started, so when that program crashed, or ignored stdin's end and
 * SIGTERM, what it had started kept running after the worker let go of it. Here, when the
 * program exits (a crash) or is closed, the rest of its group gets SIGTERM and, 2 s later,
 * SIGKILL. (On Windows there are no process groups: the SDK's own behaviour is kept.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough, type Stream } from 'node:stream';
import { ReadBuffer, SdkError, SdkErrorCode, serializeMessage, type JSONRPCMessage } from '@modelcontextprotocol/client';
import { getDefaultEnvironment, StdioClientTransport, type StdioServerParameters } from '@modelcontextprotocol/client/stdio';
import { newOwnerMark, OWNER_ENV, sweepServer } from './stdio-orphans';

/** How long a program (then its group) gets between the end of stdin, SIGTERM and SIGKILL: the SDK's own 2 s. */
const GRACE_MS = 2_000;
const POLL_MS = 50;
/** The SDK's default bound on one stdout message (its STDIO_DEFAULT_MAX_BUFFER_SIZE, not exported). */
const STDIO_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/** Whether any process of the group is still there. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    // EPERM: a member we may not signal is still there, which is still "alive".
    return !!error && typeof error === 'object' && 'code' in error && error.code === 'EPERM';
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group is gone already.
  }
}

async function waitUntil(done: () => boolean, ms: number): Promise<boolean> {
  for (let waited = 0; !done(); waited += POLL_MS) {
    if (waited >= ms) return false;
    // Not unref()ed: whoever awaits close() must not see the event loop end under it.
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return true;
}

/** SIGTERM to what is left of the group, SIGKILL to what survives it; then whatever left the group (./stdio-orphans.ts). */
async function endGroup(pgid: number, mark: string): Promise<void> {
  if (groupAlive(pgid)) {
    signalGroup(pgid, 'SIGTERM');
    if (!(await waitUntil(() => !groupAlive(pgid), GRACE_MS))) signalGroup(pgid, 'SIGKILL');
  }
  await sweepServer(mark);
}

export class ProcessGroupStdioTransport extends StdioClientTransport {
  private readonly own = process.platform !== 'win32';
  private child: ChildProcess | undefined;
  private readonly buffer: ReadBuffer;
  private readonly maxMessageBytes: number;
  private readonly errorOutput = new PassThrough();
  private closing = false;
  private closed = false;
  /** Inherited by everything the program starts: how the sweep finds what left its group. */
  private readonly mark = newOwnerMark();
  private ended: Promise<void> | undefined;

  constructor(private readonly params: StdioServerParameters) {
    super(params);
    // The SDK's bound on one message (10 MB unless the parameters say otherwise).
    this.maxMessageBytes = params.maxBufferSize ?? STDIO_MAX_MESSAGE_BYTES;
    this.buffer = new ReadBuffer({ maxBufferSize: this.maxMessageBytes });
  }

  override async start(): Promise<void> {
    if (!this.own) return super.start();
    if (this.child) throw new Error('this stdio transport is started already');
    await new Promise<void>((resolve, reject) => {
      const child = spawn(this.params.command, this.params.args ?? [], {
        env: { ...getDefaultEnvironment(), ...this.params.env, [OWNER_ENV]: this.mark },
        stdio: ['pipe', 'pipe', 'pipe'],
        shell: false,
        // Its own process group: signals for it reach whatever it starts, and a Ctrl-C meant for the worker does not reach it.
        detached: true,
        ...(this.params.cwd ? { cwd: this.params.cwd } : {}),
      });
      this.child = child;
      child.on('error', (error) => {
        reject(error);
        this.onerror?.(error);
      });
      child.on('spawn', () => resolve());
      child.on('exit', () => {
        // A crash: what it started goes too (leftovers holding its pipes would also keep 'close' from coming).
        if (!this.closing && child.pid !== undefined) this.ended ??= endGroup(child.pid, this.mark);
      });
      // Its pipes are closed too: every answer it wrote has been read.
      child.on('close', () => this.finish());
      child.stdin?.on('error', (error) => this.onerror?.(error));
      let overflowed = false;
      child.stdout?.on('data', (chunk: Buffer) => {
        // Given up on: what it still writes until it ends is read and dropped.
        if (overflowed) return;
        try {
          this.buffer.append(chunk);
        } catch (error) {
          // A message over the buffer's bound (the SDK's 10 MB): the SDK's transport gives up on the
          // connection, so does this one; the call in flight fails as a connection failure.
          overflowed = true;
          this.onerror?.(new Error(`the program wrote a message over ${this.maxMessageBytes} bytes on stdout: the connection is closed`, { cause: error }));
          void this.close().catch(() => undefined);
          return;
        }
        this.readMessages();
      });
      child.stdout?.on('error', (error) => this.onerror?.(error));
      child.stderr?.on('error', (error) => this.errorOutput.destroy(error));
      child.stderr?.pipe(this.errorOutput);
    });
  }

  /** Every complete message; a line that is JSON but no JSON-RPC message is reported and skipped (the SDK's way). */
  private readMessages(): void {
    for (;;) {
      try {
        const message = this.buffer.readMessage();
        if (message === null) return;
        this.onmessage?.(message);
      } catch (error) {
        this.onerror?.(error as Error);
      }
    }
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.child = undefined;
    this.onclose?.();
  }

  override get stderr(): Stream | null {
    return this.own ? this.errorOutput : super.stderr;
  }

  override get pid(): number | null {
    return this.own ? (this.child?.pid ?? null) : super.pid;
  }

  override send(message: JSONRPCMessage): Promise<void> {
    if (!this.own) return super.send(message);
    return new Promise((resolve) => {
      const stdin = this.child?.stdin;
      if (!stdin) throw new SdkError(SdkErrorCode.NotConnected, 'Not connected');
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', resolve);
    });
  }

  /** stdin's end (most servers stop then), after 2 s SIGTERM to the group, after 2 s more SIGKILL. */
  override async close(): Promise<void> {
    if (!this.own) return super.close();
    const child = this.child;
    this.closing = true;
    if (child?.pid !== undefined) {
      const pgid = child.pid;
      const exited = () => child.exitCode !== null || child.signalCode !== null;
      try {
        child.stdin?.end();
      } catch {
        // Its stdin is gone already.
      }
      await waitUntil(exited, GRACE_MS);
      await (this.ended ??= endGroup(pgid, this.mark));
    }
    this.buffer.clear();
    this.finish();
  }
}
