// proxyvote tabulate: the counts through the admin API (the inspector's role, signed with the caller's
// AWS credentials): a count now or the final count, the runs' history, one run's report, and its
// snapshot file for `proxyvote recount --verify`.
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Instruction } from '../shared/domain/instruction.ts';
import { type Meeting, parseMeeting } from '../shared/domain/meeting.ts';
import { formatReport } from '../shared/domain/report.ts';
import type { TabulationResult } from '../shared/domain/tabulate.ts';
import { verifyHistory } from '../shared/domain/tamper.ts';
import { parseLeafLine } from '../shared/tabulation/live.ts';
import {
  diffResults,
  formatVerification,
  parseSnapshotFile,
  snapshotFileParts,
} from '../shared/tabulation/snapshot-file.ts';
import type { SnapshotHeader } from '../shared/tabulation/snapshots.ts';
import { type AdminClient, AdminRefused, adminClient } from './admin-client.ts';
import type { Command } from './command.ts';
import { type Out, progress, readText, required, UsageError, whileWaiting } from './io.ts';

export const tabulateCommands: Command[] = [
  {
    name: 'tabulate run',
    summary: 'Count the meeting now (or make the final count) and store the snapshot.',
    synopsis: '[--final [--accept-open-conflicts]] [--cumulative] [--api URL] [--json]',
    role: 'inspector',
    details:
      'Count the meeting now and store the snapshot (--final: the final count, once the polls are\n' +
      'closed; refused while a conflict is open, unless --accept-open-conflicts says to make it anyway,\n' +
      'which the snapshot and the report record). The snapshot records the signing operator as\n' +
      'requestedBy. Locally the count runs in the request; on AWS the tabulation worker makes it\n' +
      'within a minute (see `tabulate list`).',
    run: (args, io) => run(args, io),
  },
  {
    name: 'tabulate list',
    summary: 'The stored count runs, newest first, with who asked for each.',
    synopsis: '[--limit N] [--api URL] [--json]',
    role: 'inspector',
    run: (args, io) => list(args, io),
  },
  {
    name: 'tabulate show',
    summary: "One run's report; its snapshot file and the inspector's report as files.",
    synopsis:
      '--meeting FILE [--run ID|latest|final] [--out SNAPSHOT.json] [--html FILE] [--csv FILE] [--api URL] [--json]',
    role: 'inspector',
    details:
      "--out writes the run's snapshot file (for `recount --verify`), --html and --csv the inspector's report.",
    run: (args, io) => show(args, io),
  },
];

type RunAnswer = {
  outcome?: string;
  snapshot?: SnapshotHeader;
  runId?: string;
  requestId?: string;
  reason?: string;
  error?: { code?: string; message?: string; fields?: Array<{ message: string }> };
};

const n = (x: number) => x.toLocaleString('en-US');

function summary(h: SnapshotHeader): string {
  if (h.status !== 'complete' || !h.summary || !h.digest)
    return `run ${h.runId} (${h.kind}) FAILED after ${n(h.durationMs)} ms: ${(h.problems ?? []).length} problem(s)\n`;
  const s = h.summary;
  return (
    `run ${h.runId} (${h.kind}) complete in ${n(h.durationMs)} ms, ${h.startedAt} to ${h.finishedAt}\n` +
    `  asked for by   ${h.requestedBy}\n` +
    `  shares present ${n(s.sharesPresent)} of a quorum of ${n(s.requiredQuorum)}: ${s.quorumMet ? 'MET' : 'NOT MET'}; ` +
    `open conflicts ${n(s.openConflicts)}\n` +
    `  input digest   ${h.inputDigest}\n` +
    `  history digest ${h.digest.root} (${n(h.digest.accounts)} accounts, ${n(h.digest.instructions)} instructions, ${h.digest.asOf ? `received before ${h.digest.asOf}` : 'the whole history'})\n`
  );
}

async function run(args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      api: { type: 'string' },
      json: { type: 'boolean', default: false },
      final: { type: 'boolean', default: false },
      'accept-open-conflicts': { type: 'boolean', default: false },
      cumulative: { type: 'boolean' },
    },
    strict: true,
  });
  const api = adminClient(values);
  const res = await whileWaiting(
    io,
    values.final ? 'making the final count' : 'counting the meeting',
    api.request('POST', '/admin/tally', {
      body: {
        kind: values.final ? 'final' : 'on-demand',
        ...(values.cumulative === undefined ? {} : { cumulative: values.cumulative }),
        ...(values['accept-open-conflicts'] ? { acceptOpenConflicts: true } : {}),
      },
    }),
  );
  let out: RunAnswer = {};
  try {
    out = JSON.parse(res.text) as RunAnswer;
  } catch {
    // Reported below as it came.
  }
  if (!res.ok) throw new AdminRefused(res.status, res.text);
  if (values.json) io.out(`${JSON.stringify(out, null, 2)}\n`);
  else if (out.outcome === 'complete' && out.snapshot) io.out(summary(out.snapshot));
  else if (out.outcome === 'already-final' && out.snapshot)
    io.out(`the final count was already made:\n${summary(out.snapshot)}`);
  else if (out.outcome === 'final-in-progress') io.out(`the final count is being made by run ${out.runId}\n`);
  else if (out.outcome === 'requested')
    io.out(
      `requested (${out.requestId}): the tabulation worker makes the count; see \`proxyvote tabulate list\`\n`,
    );
  else io.out(`nothing to do: ${out.reason}\n`);
  return 0;
}

async function list(args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      api: { type: 'string' },
      json: { type: 'boolean', default: false },
      limit: { type: 'string', default: '20' },
    },
    strict: true,
  });
  const limit = String(Math.max(1, Math.min(100, Number(values.limit) || 20)));
  const page = await adminClient(values).getJson<{ runs: SnapshotHeader[] }>('/admin/tally', { limit });
  if (values.json) io.out(`${JSON.stringify(page.runs, null, 2)}\n`);
  else if (page.runs.length === 0) io.out('no runs yet\n');
  else
    for (const h of page.runs)
      io.out(
        `${h.runId}  ${h.kind.padEnd(9)}  ${h.status.padEnd(8)}  ${n(h.durationMs).padStart(9)} ms  ` +
          `${h.summary ? `present ${n(h.summary.sharesPresent)}, quorum ${h.summary.quorumMet ? 'met' : 'not met'}` : `${(h.problems ?? []).length} problem(s)`}  by ${h.requestedBy}\n`,
      );
  return 0;
}

async function show(args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      meeting: { type: 'string' },
      api: { type: 'string' },
      json: { type: 'boolean', default: false },
      run: { type: 'string', default: 'latest' },
      out: { type: 'string' },
      html: { type: 'string' },
      csv: { type: 'string' },
    },
    strict: true,
  });
  required(values, ['meeting']);
  const meeting = parseMeeting(await readText(values.meeting as string), values.meeting);
  const api = adminClient(values);
  const path = `/admin/tally/${encodeURIComponent(values.run)}`;
  const res = await api.request('GET', path);
  if (res.status === 404) {
    io.err(`proxyvote tabulate show: no run "${values.run}" (give a run id, latest or final)\n`);
    return 1;
  }
  if (!res.ok) throw new AdminRefused(res.status, res.text);
  const { snapshot: header, result } = JSON.parse(res.text) as {
    snapshot: SnapshotHeader;
    result: TabulationResult | null;
  };
  if (header.meeting !== meeting.id)
    throw new UsageError(`the API counts meeting "${header.meeting}", not "${meeting.id}" (--meeting)`);
  if (values.json) io.out(`${JSON.stringify({ snapshot: header, result }, null, 2)}\n`);
  else {
    io.out(summary(header));
    if (result) io.out(`\n${formatReport(result, meeting.company.name)}`);
    for (const p of header.problems ?? []) io.out(`  ${p}\n`);
  }
  if (result) await writeReports(values, header, result, api, io);
  return 0;
}

async function fetchText(api: AdminClient, path: string, query: Record<string, string>): Promise<string> {
  const res = await api.request('GET', path, { query });
  if (!res.ok) throw new AdminRefused(res.status, res.text);
  return res.text;
}

async function writeReports(
  values: { out?: string | undefined; html?: string | undefined; csv?: string | undefined },
  header: SnapshotHeader,
  result: TabulationResult,
  api: AdminClient,
  io: Out,
): Promise<void> {
  // The run's own id, so that "latest" cannot move between the reads.
  const runPath = `/admin/tally/${encodeURIComponent(header.runId)}`;
  if (values.html) {
    await writeFile(values.html, await fetchText(api, runPath, { format: 'html' }));
    io.err(`wrote the inspector's report to ${values.html}\n`);
  }
  if (values.csv) {
    await writeFile(values.csv, await fetchText(api, runPath, { format: 'csv' }));
    io.err(`wrote the inspector's report to ${values.csv}\n`);
  }
  if (values.out) {
    const leaves: Array<{ account: string; count: number; head: string }> = [];
    const show = progress(io);
    for (let chunk = 0; chunk < header.leafChunks; chunk++) {
      show("reading the snapshot's history digest (chunks)", chunk, header.leafChunks);
      const text = await fetchText(api, runPath, { format: 'leaves', chunk: String(chunk) });
      for (const line of text.split('\n')) if (line !== '') leaves.push(parseLeafLine(line));
    }
    show("reading the snapshot's history digest (chunks)", header.leafChunks, header.leafChunks);
    show.end();
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
