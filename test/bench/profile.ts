/**
 * `npm run bench -- profile`: CPU-profiles the worker (node --cpu-prof, every thread) under
 * concurrent load, hosted and then direct, each with a worker process of its own, and
 * summarizes where its milliseconds go per query (cpuprofile.ts). Only samples taken during the
 * measured load count. Writes test/.tmp/bench-profile.md and keeps the .cpuprofile files in
 * test/.tmp/bench-profiles/ (open them in Chrome DevTools or speedscope).
 * MCPFLOW_BENCH_QUICK=1 runs fewer queries. MCPFLOW_BENCH_PROFILE=discovery profiles discoverTools of
 * 50 demo servers (direct, then hosted) one at a time instead of queries.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './child';
import { monotonicMicros, profileMarkdown, summarizeProfile } from './cpuprofile';
import { runLoad } from './load';
import { log } from './log';
import { runPool } from './measure';
import { startStack } from './stack';
import { createVariants, type Variant } from './variants';

const OUT_DIR = path.join(REPO_ROOT, 'test', '.tmp');
const PROFILE_DIR = path.join(OUT_DIR, 'bench-profiles');

export async function runProfile(): Promise<number> {
  const quick = process.env.MCPFLOW_BENCH_QUICK === '1';
  const sizes = { warmup: quick ? 10 : 30, queries: quick ? 60 : 300, concurrency: 50 };
  rmSync(PROFILE_DIR, { recursive: true, force: true });
  const discovery = process.env.MCPFLOW_BENCH_PROFILE === 'discovery';
  if (discovery) Object.assign(sizes, { warmup: 5, queries: quick ? 20 : 60, concurrency: 1 });
  const stack = await startStack({ log, extraServers: discovery ? 50 : 0, maxConversations: 10_000 });
  const sections: string[] = [
    '# Worker CPU profile',
    '',
    `\`npm run bench -- profile\`: ${sizes.queries} seed queries at concurrency ${sizes.concurrency} per mode after ${sizes.warmup} unmeasured ones, a fresh worker process per mode under \`node --cpu-prof\` (the profiler itself costs a little). Only samples inside the measured load count.`,
    '',
  ];
  try {
    const { variants, close } = await createVariants(stack);
    try {
      for (const mode of ['hosted', 'direct'] as const) {
        const dir = path.join(PROFILE_DIR, mode);
        mkdirSync(dir, { recursive: true });
        await stack.worker.stop();
        stack.worker = await stack.startWorker({ nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
        const variant: Variant = discovery
          ? {
              key: `mcpflow-${mode}`,
              label: `discoverTools, 50 servers, ${mode}`,
              mcpflow: true,
              run: async () =>
                (
                  await stack.client.discover({
                    mode,
                    servers: stack.services.extra.map((url, index) => ({ label: `s${index + 1}`, url, require_approval: 'never' })),
                  })
                ).workflow_id,
            }
          : variants[`mcpflow-${mode}`];
        await runPool(sizes.warmup, 10, () => variant.run());
        const fromUs = monotonicMicros();
        const load = await runLoad(stack, variant, sizes.queries, sizes.concurrency);
        const toUs = monotonicMicros();
        log(`${mode}: ${load.throughput.toFixed(1)} q/s, worker ${load.cpuPerQueryMs.worker?.toFixed(1)} CPU ms per query (under the profiler)`);
        await stack.worker.stop();
        sections.push(
          `## ${mode}`,
          '',
          `${load.throughput.toFixed(1)} q/s under the profiler; worker process CPU ${load.cpuPerQueryMs.worker?.toFixed(1) ?? 'n/a'} ms per query (/proc, all threads), by thread: ${Object.entries(
            load.workerThreadsPerQueryMs,
          )
            .map(([name, value]) => `${name} ${value.toFixed(1)}`)
            .join(', ')}.`,
          '',
        );
        const bundle = readFileSync(stack.bundlePath, 'utf8');
        for (const file of readdirSync(dir)
          .filter((name) => name.endsWith('.cpuprofile'))
          .sort()) {
          const threadId = Number(/\.(\d+)\.\d+\.cpuprofile$/.exec(file)?.[1] ?? 0);
          const title = threadId === 0 ? 'main thread (activities, SDK bridge, Core SDK callbacks)' : `worker_thread ${threadId} (workflow sandbox)`;
          const summary = summarizeProfile(path.join(dir, file), bundle, { fromUs, toUs });
          if (summary.busyMs < 1) continue;
          sections.push(profileMarkdown(title, summary, sizes.queries));
        }
        stack.worker = await stack.startWorker({});
      }
    } finally {
      await close();
    }
    const markdown = sections.join('\n');
    mkdirSync(OUT_DIR, { recursive: true });
    writeFileSync(path.join(OUT_DIR, 'bench-profile.md'), markdown);
    process.stdout.write(`${markdown}\n`);
    log(`wrote test/.tmp/bench-profile.md; profiles in ${path.relative(REPO_ROOT, PROFILE_DIR)}`);
    return 0;
  } catch (error) {
    log(`FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  } finally {
    await stack.stop();
  }
}
