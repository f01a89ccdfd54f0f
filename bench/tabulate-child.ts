// One timed tabulation in a process of its own (so its peak memory and CPU time are its own), bundled
// by esbuild and run with plain `node`:
//   BENCH_MODE=product  the live tabulation (shared/tabulation/live.ts) as the tabulate function runs
//                       it: BENCH_THREADS Scan threads (the deployed `auto`: one per vCPU)
//   BENCH_MODE=raw      the same two parallel Scans through the same scanSegments (same segments,
//                       filter, projection, consistent reads, one page read ahead), items only counted
// Prints one line of JSON: wall ms, CPU ms of the whole process (every thread), items, peak RSS.
// The bundle is also what the product's Scan threads load (scan-threads.ts starts workers from the
// file that holds it): in such a thread this file's own work must not start.
import { performance } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';
import { parseMeeting } from '../shared/domain/meeting.ts';
import { createDynamoClients } from '../shared/storage/dynamo-client.ts';
import { liveTabulate } from '../shared/tabulation/live.ts';
import { scanSegments } from '../shared/tabulation/scan.ts';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

async function main(): Promise<void> {
  const mode = env('BENCH_MODE');
  const segments = Number(env('BENCH_SEGMENTS'));
  const threads = Number(env('BENCH_THREADS'));
  const expected = Number(env('BENCH_ACCOUNTS'));
  const endpoint = env('DYNAMODB_ENDPOINT');
  const tables = {
    register: env('REGISTER_TABLE'),
    votes: env('VOTES_TABLE'),
    operations: env('OPERATIONS_TABLE'),
  };
  const meeting = parseMeeting(env('MEETING_JSON'), 'MEETING_JSON');
  const { doc } = createDynamoClients({ endpoint });

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let items: number;
  if (mode === 'raw') {
    const count = { n: 0 };
    const onPage = (page: Record<string, unknown>[]) => {
      count.n += page.length;
    };
    const holders = await scanSegments(doc, { table: tables.register, segments, types: ['holder'] }, onPage);
    const instructions = await scanSegments(
      doc,
      { table: tables.votes, segments, types: ['instruction'], attributes: ['pk', 'sk', 'body'] },
      onPage,
    );
    if (holders.items !== expected || instructions.items !== expected)
      throw new Error(
        `raw scan read ${holders.items} holders and ${instructions.items} instructions, not ${expected}`,
      );
    items = count.n;
  } else {
    const live = await liveTabulate(doc, tables, meeting, {
      cumulative: false,
      segments,
      asOf: null,
      pollsClosedAt: null,
      threads: { count: threads, dynamo: { endpoint } },
    });
    const { stats, result } = live;
    if (
      stats.holders !== expected ||
      stats.accountsWithInstructions !== expected ||
      result.accounts.total !== expected
    )
      throw new Error(
        `the count saw ${stats.holders} holders, ${stats.accountsWithInstructions} accounts with instructions, not ${expected}`,
      );
    items = stats.holders + stats.instructions;
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(
    `${JSON.stringify({
      mode,
      ms,
      cpuMs: (cpu.user + cpu.system) / 1000,
      items,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    })}\n`,
  );
  doc.destroy();
}

if (isMainThread) await main();
