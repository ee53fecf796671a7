/** Everything one benchmark run measured: what report.ts renders and what the JSON file holds. */
import type { ApprovalFigures } from './scale-approvals';
import type { DiscoveryPoint } from './scale-discovery';
import type { SessionFigures } from './scale-session';
import type { LoadResult } from './load';
import type { RecoveryRun } from './recovery';
import type { TimelineSummary } from './timeline';
import type { VariantKey } from './variants';

export interface RunMeta {
  date: string;
  quick: boolean;
  command: string;
  commit: string;
  /** Files changed against the commit when the bench ran. */
  uncommittedChanges: number;
  node: string;
  machine: { cpus: number; model: string; memoryBytes: number; os: string };
  temporalCli: string;
  devServerCommand: string;
  loadAverageAtStart: number[];
  loadAverageAtEnd: number[];
  runMs: number;
  startupMs: Record<string, number>;
}

export interface BenchResults {
  meta: RunMeta;
  latency: LoadResult[];
  timelines: Partial<Record<'hosted' | 'direct', TimelineSummary>>;
  discovery: DiscoveryPoint[];
  sessions: SessionFigures[];
  approvals: ApprovalFigures | undefined;
  recovery: RecoveryRun[];
  /** Phases that failed, with the error: their figures are missing, the rest stands. */
  failures: Array<{ phase: string; error: string }>;
}

export function findLoad(results: BenchResults, variant: VariantKey, concurrency: number): LoadResult | undefined {
  return results.latency.find((load) => load.variant === variant && load.concurrency === concurrency);
}
