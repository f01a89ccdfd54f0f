// proxyvote tabulate: the live count, straight against the meeting's DynamoDB tables (DynamoDB Local
// with --dynamo, or AWS with the caller's credentials), by the same use case the tabulation Lambda runs;
// the runs' history; one run's report, and its snapshot file for `proxyvote recount --verify`.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { clockWithOffset } from '../shared/config/clock.ts';
import { renderInspectorCsv, renderInspectorHtml } from '../shared/domain/inspector-report.ts';
import type { Instruction } from '../shared/domain/instruction.ts';
import { type Meeting, parseMeeting } from '../shared/domain/meeting.ts';
import { formatReport } from '../shared/domain/report.ts';
import type { TabulationResult } from '../shared/domain/tabulate.ts';
import { verifyHistory } from '../shared/domain/tamper.ts';
import { createDynamoClients } from '../shared/storage/dynamo-client.ts';
import { DEFAULT_TABLE_PREFIX, tableNames } from '../shared/storage/tables.ts';
import { runTabulation, TabulationError } from '../shared/tabulation/run.ts';
import {
  diffResults,
  formatVerification,
  parseSnapshotFile,
  snapshotFileParts,
} from '../shared/tabulation/snapshot-file.ts';
import { type SnapshotHeader, SnapshotStore } from '../shared/tabulation/snapshots.ts';
import { type Out, readText, required, UsageError } from './io.ts';

export const TABULATE_USAGE =
  '  tabulate run --meeting FILE [--final [--accept-open-conflicts]] [--cumulative] [--segments N] [--dynamo URL]\n' +
  '               [--table-prefix P] [--json]\n' +
  '      Count the meeting now from its tables and store the snapshot (--final: the final count, once the\n' +
  '      polls are closed; refused while a conflict is open, unless --accept-open-conflicts says to make\n' +
  '      it anyway, which the snapshot and the certificate record). The same use case as the Lambda.\n' +
  '  tabulate list --meeting FILE [--limit N] [--dynamo URL] [--table-prefix P] [--json]\n' +
  '      The stored runs, newest first.\n' +
  '  tabulate show --meeting FILE [--run ID|latest|final] [--out SNAPSHOT.json] [--html FILE] [--csv FILE] [--json]\n' +
  "      One run's report; --out writes its snapshot file (for recount --verify), --html and --csv the\n" +
  "      inspector's report.\n";

const common = {
  meeting: { type: 'string' },
  dynamo: { type: 'string' },
  'table-prefix': { type: 'string', default: DEFAULT_TABLE_PREFIX },
  json: { type: 'boolean', default: false },
} as const;

async function connect(values: { meeting?: string; dynamo?: string; 'table-prefix'?: string }) {
  required(values, ['meeting'], TABULATE_USAGE);
  const meeting = parseMeeting(await readText(values.meeting as string), values.meeting);
  const tables = tableNames(meeting.id, values['table-prefix'] ?? DEFAULT_TABLE_PREFIX);
  const clients = createDynamoClients({ endpoint: values.dynamo });
  return { meeting, tables, ...clients, store: new SnapshotStore(clients.doc, tables) };
}

const n = (x: number) => x.toLocaleString('en-US');

function summary(h: SnapshotHeader): string {
  if (h.status !== 'complete' || !h.summary || !h.digest)
    return `run ${h.runId} (${h.kind}) FAILED after ${n(h.durationMs)} ms: ${(h.problems ?? []).length} problem(s)\n`;
  const s = h.summary;
  return (
    `run ${h.runId} (${h.kind}) complete in ${n(h.durationMs)} ms, ${h.startedAt} to ${h.finishedAt}\n` +
    `  shares present ${n(s.sharesPresent)} of a quorum of ${n(s.requiredQuorum)}: ${s.quorumMet ? 'MET' : 'NOT MET'}; ` +
    `open conflicts ${n(s.openConflicts)}\n` +
    `  input digest   ${h.inputDigest}\n` +
    `  history digest ${h.digest.root} (${n(h.digest.accounts)} accounts, ${n(h.digest.instructions)} instructions, ${h.digest.asOf ? `received before ${h.digest.asOf}` : 'the whole history'})\n`
  );
}

export async function tabulateCommand(args: string[], io: Out): Promise<number> {
  const [action, ...rest] = args;
  if (action === 'run') return run(rest, io);
  if (action === 'list') return list(rest, io);
  if (action === 'show') return show(rest, io);
  throw new UsageError(`tabulate what? run, list or show\n${TABULATE_USAGE}`);
}

async function run(args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...common,
      final: { type: 'boolean', default: false },
      'accept-open-conflicts': { type: 'boolean', default: false },
      cumulative: { type: 'boolean' },
      segments: { type: 'string', default: '8' },
      operator: { type: 'string' },
    },
    strict: true,
  });
  const segments = Number(values.segments);
  if (!Number.isInteger(segments) || segments < 1 || segments > 1000)
    throw new UsageError(`--segments must be a whole number from 1 to 1000, not "${values.segments}"`);
  const c = await connect(values);
  try {
    const out = await runTabulation(
      {
        meeting: c.meeting,
        doc: c.doc,
        tables: c.tables,
        now: clockWithOffset(Number(process.env.CLOCK_OFFSET_MS ?? 0) || undefined),
        randomHex: () => randomBytes(4).toString('hex'),
        segments,
        cumulative: false,
      },
      {
        kind: values.final ? 'final' : 'on-demand',
        requestedBy: `cli:${values.operator ?? userInfo().username}`,
        cumulative: values.cumulative,
        acceptOpenConflicts: values['accept-open-conflicts'],
      },
    );
    if (values.json) io.out(`${JSON.stringify(out, null, 2)}\n`);
    else if (out.outcome === 'complete') io.out(summary(out.snapshot));
    else if (out.outcome === 'already-final')
      io.out(`the final count was already made:\n${summary(out.snapshot)}`);
    else if (out.outcome === 'final-in-progress')
      io.out(`the final count is being made by run ${out.runId}\n`);
    else io.out(`nothing to do: ${out.reason}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof TabulationError)) throw e;
    io.err(`proxyvote tabulate: ${e.message}\n${e.problems.map((p) => `  ${p}\n`).join('')}`);
    return 1;
  } finally {
    c.client.destroy();
  }
}

async function list(args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { ...common, limit: { type: 'string', default: '20' } },
    strict: true,
  });
  const c = await connect(values);
  try {
    const page = await c.store.list(Math.max(1, Math.min(100, Number(values.limit) || 20)));
    if (values.json) io.out(`${JSON.stringify(page.runs, null, 2)}\n`);
    else if (page.runs.length === 0) io.out('no runs yet\n');
    else
      for (const h of page.runs)
        io.out(
          `${h.runId}  ${h.kind.padEnd(9)}  ${h.status.padEnd(8)}  ${n(h.durationMs).padStart(9)} ms  ` +
            `${h.summary ? `present ${n(h.summary.sharesPresent)}, quorum ${h.summary.quorumMet ? 'met' : 'not met'}` : `${(h.problems ?? []).length} problem(s)`}\n`,
        );
    return 0;
  } finally {
    c.client.destroy();
  }
}

async function show(args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...common,
      run: { type: 'string', default: 'latest' },
      out: { type: 'string' },
      html: { type: 'string' },
      csv: { type: 'string' },
    },
    strict: true,
  });
  const c = await connect(values);
  try {
    const header = await c.store.resolve(values.run);
    if (!header) {
      io.err(`proxyvote tabulate show: no run "${values.run}" (give a run id, latest or final)\n`);
      return 1;
    }
    const result = await c.store.result(header);
    if (values.json) io.out(`${JSON.stringify({ snapshot: header, result }, null, 2)}\n`);
    else {
      io.out(summary(header));
      if (result) io.out(`\n${formatReport(result, c.meeting.company.name)}`);
      for (const p of header.problems ?? []) io.out(`  ${p}\n`);
    }
    if (result) await writeReports(values, header, result, c.meeting, c.store, io);
    return 0;
  } finally {
    c.client.destroy();
  }
}

async function writeReports(
  values: { out?: string; html?: string; csv?: string },
  header: SnapshotHeader,
  result: NonNullable<Awaited<ReturnType<SnapshotStore['result']>>>,
  meeting: Meeting,
  store: SnapshotStore,
  io: Out,
): Promise<void> {
  const run = {
    runId: header.runId,
    kind: header.kind,
    finishedAt: header.finishedAt,
    historyRoot: header.digest?.root ?? null,
    openConflictsAccepted: header.openConflictsAccepted === true,
  };
  if (values.html) {
    await writeFile(values.html, renderInspectorHtml(result, meeting, run));
    io.err(`wrote the inspector's report to ${values.html}\n`);
  }
  if (values.csv) {
    await writeFile(values.csv, renderInspectorCsv(result, run));
    io.err(`wrote the inspector's report to ${values.csv}\n`);
  }
  if (values.out) {
    const leaves: Array<{ account: string; count: number; head: string }> = [];
    for await (const leaf of store.leaves(header)) leaves.push(leaf);
    const file = createWriteStream(values.out);
    for (const part of snapshotFileParts(header, result, leaves)) {
      if (!file.write(part)) await new Promise<void>((r) => file.once('drain', () => r()));
    }
    await new Promise<void>((resolve, reject) => file.end((e?: Error | null) => (e ? reject(e) : resolve())));
    io.err(`wrote the snapshot file (${n(leaves.length)} accounts) to ${values.out}\n`);
  }
}

/**
 * `recount --verify SNAPSHOT.json`: the export's history against the snapshot's history digest (naming
 * every account that differs), and, for a snapshot of the whole history, the recount's result against
 * the live one. Prints the verification (or, with --json, the result with it); 0 when all agree, 1 not.
 */
export async function verifyRecount(
  path: string,
  meeting: Meeting,
  history: readonly Instruction[],
  result: TabulationResult,
  json: boolean,
  io: Out,
): Promise<number> {
  const file = parseSnapshotFile(await readText(path), path);
  if (file.meeting !== meeting.id)
    throw new UsageError(`${path} is a snapshot of meeting "${file.meeting}", not "${meeting.id}"`);
  const verification = verifyHistory(file.digest, history);
  const differences = file.digest.asOf === null ? diffResults(file.result, result) : null;
  const ok = verification.ok && (differences === null || differences.length === 0);
  if (json)
    io.out(`${JSON.stringify({ result, verification, resultDifferences: differences, ok }, null, 2)}\n`);
  else {
    io.out(formatReport(result, meeting.company.name));
    io.out(`\n${formatVerification(file, verification, differences)}`);
  }
  return ok ? 0 : 1;
}
