/**
 * Output for people (tables, short lines) and for scripts (`--json`: exactly one JSON document
 * on stdout; everything else goes to stderr).
 */
import Table from 'cli-table3';
import type { CallRecord, WorkflowStatistics } from '../core/records';
import type { Catalog } from '../core/tools';
import { plainText, terminalLine } from './terminal-text';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function table(head: string[], rows: Array<Array<string | number>>, options: { colWidths?: number[] } = {}): string {
  const rendered = new Table({
    head,
    style: { head: process.stdout.isTTY ? ['cyan'] : [], border: process.stdout.isTTY ? ['grey'] : [] },
    wordWrap: true,
    ...(options.colWidths ? { colWidths: options.colWidths } : {}),
  });
  for (const row of rows) rendered.push(row.map((cell) => (typeof cell === 'number' ? String(cell) : plainText(cell))));
  return rendered.toString();
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} m ${Math.round((ms % 60_000) / 1_000)} s`;
}

export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function callsTable(calls: readonly CallRecord[]): string {
  // Who decided, only when a call needed a decision (tables of runs without approvals keep their shape).
  const decided = calls.some((call) => call.decision || call.input_answers?.length);
  return table(
    ['#', 'server', 'tool', 'status', 'duration', 'arguments', 'output / error', ...(decided ? ['decided by'] : [])],
    calls.map((call, index) => [
      index + 1,
      call.server,
      call.tool,
      call.status,
      formatDuration(call.duration_ms),
      truncate(JSON.stringify(call.arguments), 40),
      truncate(call.error_message ? `${call.error_type ?? 'error'}: ${call.error_message}` : (call.output ?? ''), 60),
      ...(decided ? [deciders(call)] : []),
    ]),
  );
}

/** `alice@host (approved)`, `standing approval`, `timeout`, plus who answered the server's questions. */
function deciders(call: CallRecord): string {
  const decision = call.decision;
  const approval = !decision
    ? []
    : [
        decision.decided_by === 'person'
          ? `${decision.approver ?? 'unknown'} (${decision.approve ? 'approved' : 'denied'})`
          : decision.decided_by.replace('_', ' '),
      ];
  const answers = (call.input_answers ?? []).map((answer) => `${answer.approver ?? 'unknown'} (${answer.action})`);
  return [...approval, ...answers].join(', ') || '-';
}

export function statisticsTable(stats: WorkflowStatistics): string {
  const counts = (record: Record<string, number>) =>
    Object.entries(record)
      .map(([key, count]) => `${key} ×${count}`)
      .join(', ') || '-';
  return table(
    ['statistic', 'value'],
    [
      ['queries', `${stats.total_queries} (${stats.successful} ok, ${stats.failed} failed)`],
      ['success rate', `${stats.success_rate.toFixed(1)} %`],
      ['query duration', `avg ${formatDuration(stats.avg_duration_ms)}, max ${formatDuration(stats.max_duration_ms)}`],
      ['tool calls', `${stats.tool_calls} (${counts(stats.calls_by_status)})`],
      ['call duration', `avg ${formatDuration(stats.avg_call_duration_ms)}, max ${formatDuration(stats.max_call_duration_ms)}`],
      ['retries', stats.total_retries],
      ['tool usage', counts(stats.tool_usage)],
      ['server usage', counts(stats.server_usage)],
      ['servers configured', stats.servers_configured],
      ['tools cached', stats.tools_cached],
      ['errors by type', counts(stats.errors_by_type)],
    ],
  );
}

export function catalogTable(catalog: Catalog): string {
  const rows: Array<Array<string | number>> = [];
  for (const server of Object.values(catalog.servers)) {
    if (!server.tools.length) {
      rows.push([
        server.server_label,
        server.status === 'ok' ? '(no tools)' : `(${server.error?.type ?? 'error'}: ${truncate(server.error?.message ?? '', 50)})`,
        '',
        '',
        '',
      ]);
    }
    for (const tool of server.tools) {
      const parameters = tool.parameters.map((parameter) => `${parameter.name}${parameter.required ? '*' : ''}: ${parameter.type}`).join(', ');
      rows.push([
        `${server.server_label}${server.stale ? ' (stale)' : ''}`,
        tool.name,
        truncate(parameters, 40),
        tool.read_only ? 'yes' : 'no',
        truncate(tool.description, 50),
      ]);
    }
  }
  return table(['server', 'tool', 'parameters (* = required)', 'read-only', 'description'], rows);
}

/** Writes lines to stderr, for progress next to a --json result. */
export function toStderr(line: string): void {
  process.stderr.write(`${terminalLine(line)}\n`);
}

export function toStdout(line: string): void {
  process.stdout.write(`${terminalLine(line)}\n`);
}
