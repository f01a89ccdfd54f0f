// The snapshot file: one count written out for the inspector (`proxyvote tabulate show --out FILE`),
// read back by `proxyvote recount --verify FILE`. JSON:
//   { "format": "proxyvote-snapshot/1", "snapshot": <header>, "result": <TabulationResult>,
//     "leaves": [["<account>", <count>, "<head>"], ...] }     (leaves sorted by account)
// Also: how a verification and a comparison of results read, in words.
import * as z from 'zod';
import { formatIssues, InvalidInputError } from '../domain/meeting.ts';
import type { TabulationResult } from '../domain/tabulate.ts';
import type { HistoryDigest, HistoryLeaf, Verification } from '../domain/tamper.ts';

export const SNAPSHOT_FORMAT = 'proxyvote-snapshot/1';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex digits');

const snapshotFileSchema = z.object({
  format: z.literal(SNAPSHOT_FORMAT, { error: `must be "${SNAPSHOT_FORMAT}"` }),
  snapshot: z.object({
    runId: z.string().min(1),
    kind: z.string().min(1),
    status: z.literal('complete', { error: 'must be "complete": a failed run has nothing to verify' }),
    meeting: z.string().min(1),
    finishedAt: z.string().min(1),
    inputDigest: hex64,
    digest: z.object({
      root: hex64,
      asOf: z.iso.datetime({ offset: true }).nullable(),
      accounts: z.number().int().nonnegative(),
      instructions: z.number().int().nonnegative(),
    }),
  }),
  result: z.record(z.string(), z.unknown()),
  leaves: z.array(z.tuple([z.string().min(1), z.number().int().positive(), hex64])),
});

export interface SnapshotFile {
  runId: string;
  kind: string;
  meeting: string;
  finishedAt: string;
  inputDigest: string;
  digest: HistoryDigest & { leaves: HistoryLeaf[] };
  result: TabulationResult;
}

/** Parse a snapshot file; every problem is named with its path, and nothing is returned. */
export function parseSnapshotFile(text: string, source = 'snapshot file'): SnapshotFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InvalidInputError(source, [`(file): not valid JSON: ${(e as Error).message}`]);
  }
  const parsed = snapshotFileSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidInputError(source, formatIssues(parsed.error));
  const f = parsed.data;
  return {
    runId: f.snapshot.runId,
    kind: f.snapshot.kind,
    meeting: f.snapshot.meeting,
    finishedAt: f.snapshot.finishedAt,
    inputDigest: f.snapshot.inputDigest,
    digest: {
      ...f.snapshot.digest,
      leaves: f.leaves.map(([account, count, head]) => ({ account, count, head })),
    },
    result: f.result as unknown as TabulationResult,
  };
}

/** The file's text, in pieces (a million leaves are written as they come, never as one string). */
export function* snapshotFileParts(
  header: unknown,
  result: TabulationResult,
  leaves: Iterable<HistoryLeaf>,
): Generator<string> {
  yield `{"format":${JSON.stringify(SNAPSHOT_FORMAT)},\n"snapshot":${JSON.stringify(header)},\n"result":${JSON.stringify(result)},\n"leaves":[`;
  let first = true;
  for (const l of leaves) {
    yield `${first ? '\n' : ',\n'}${JSON.stringify([l.account, l.count, l.head])}`;
    first = false;
  }
  yield '\n]}\n';
}

/** How a figure of a result is named in a difference: the inspector's words, not the JSON's. */
const FIGURE_NAMES: Readonly<Record<string, string>> = {
  for: 'FOR',
  against: 'AGAINST',
  withhold: 'WITHHOLD',
  abstain: 'ABSTAIN',
  brokerNonVotes: 'broker non-votes',
  discretionary: 'discretionary votes',
  overVotes: 'over-voted cards',
  sharesOutstanding: 'shares outstanding',
  requiredQuorum: 'required quorum',
  sharesPresent: 'shares present',
  quorumMet: 'quorum met',
  inputDigest: 'input digest',
  pollsClosedAt: 'polls closed at',
  forAtLeast: 'FOR needed',
  withoutInstruction: 'without instruction',
  excludedShares: 'excluded shares',
  excludedPresent: 'excluded shares present',
  inPerson: 'in person',
  byProxy: 'by proxy',
  byChannel: 'by channel',
  conflictInstruments: 'instruments in conflict',
};

type Keyed = Record<string, unknown>;
const rec = (x: unknown): Keyed => (x && typeof x === 'object' ? (x as Keyed) : {});

/**
 * The lists of a result keyed by what they are about (a proposal by its number and title, a nominee by
 * name, a conflict by account, a rejected instruction by id), so that a difference is named by them
 * and not by a position in an array.
 */
function keyedResult(r: unknown): Keyed {
  const byKey = (list: unknown, key: (x: Keyed) => string, inner: (x: Keyed) => Keyed = (x) => x) =>
    Array.isArray(list) ? Object.fromEntries(list.map((x) => [key(rec(x)), inner(rec(x))])) : list;
  const result = rec(r);
  return {
    ...result,
    proposals: byKey(
      result.proposals,
      (p) => `Proposal ${String(p.id)} (${String(p.title)})`,
      (p) => ({ ...p, nominees: byKey(p.nominees, (n) => `nominee ${String(n.name)}`) }),
    ),
    conflicts: byKey(result.conflicts, (c) => `account ${String(c.account)}`),
    rejected: byKey(result.rejected, (x) => `instruction ${String(x.id)} of account ${String(x.account)}`),
    resolved: byKey(
      result.resolved,
      (x) => `account ${String(x.account)}, resolution ${String(rec(x.resolution).id)}`,
    ),
  };
}

const SECTION_NAMES: Readonly<Record<string, string>> = {
  // The keyed lists name their members themselves.
  proposals: '',
  nominees: '',
  accounts: 'Accounts',
  conflicts: 'Open conflict',
  rejected: 'Rejected',
  resolved: 'Resolved conflict',
  presence: 'Shares present',
  threshold: 'threshold',
  disinterested: 'disinterested tally',
  outcome: 'outcome',
};

const figure = (x: unknown): string =>
  typeof x === 'number' ? x.toLocaleString('en-US') : x === undefined ? 'nothing' : JSON.stringify(x);

/**
 * Every place where two results differ, named by proposal, nominee, account or instruction:
 * "Proposal 2 (Ratify auditors): FOR differs: live 1,234 / recount 1,230" (at most `limit` lines).
 */
export function diffResults(live: unknown, recount: unknown, limit = 50): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, path: string[]) => {
    if (out.length >= limit) return;
    const named = (keys: string[]) =>
      keys.map((k) => SECTION_NAMES[k] ?? FIGURE_NAMES[k] ?? k).filter((k) => k !== '');
    if (a === undefined || b === undefined) {
      if (a !== b)
        out.push(
          `${named(path).join(': ') || 'the result'}: only in the ${a === undefined ? 'recount' : 'live count'}`,
        );
      return;
    }
    const last = path.at(-1) ?? '';
    // An election's outcome is read whole ("Elected: ..."), not list position by list position.
    if (last === 'outcome' && JSON.stringify(a) === JSON.stringify(b)) return;
    if (a && b && typeof a === 'object' && typeof b === 'object' && last !== 'outcome') {
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      for (const k of keys) walk((a as Keyed)[k], (b as Keyed)[k], [...path, k]);
      return;
    }
    if (a === b) return;
    const where = named(path.slice(0, -1));
    const name = FIGURE_NAMES[last] ?? SECTION_NAMES[last] ?? last;
    out.push(
      `${where.length > 0 ? `${where.join(': ')}: ` : ''}${name} differs: live ${figure(a)} / recount ${figure(b)}`,
    );
  };
  walk(keyedResult(live), keyedResult(recount), []);
  return out;
}

/** The verification in words, for the recount's output. */
export function formatVerification(
  file: SnapshotFile,
  v: Verification,
  differences: string[] | null,
): string {
  const lines: string[] = [];
  const scope = file.digest.asOf ? `instructions received before ${file.digest.asOf}` : 'the whole history';
  lines.push(
    `Verification against snapshot ${file.runId} (${file.kind} count, ${file.finishedAt}), ${scope}:`,
  );
  if (!v.snapshotConsistent)
    lines.push('  THE SNAPSHOT FILE IS ALTERED: its leaves do not hash to its history digest.');
  if (v.ok) {
    lines.push(
      `  history digest VERIFIED: ${v.actualRoot} (${v.accounts} accounts, ${v.instructions} instructions)`,
    );
  } else {
    lines.push(`  history digest MISMATCH: snapshot ${v.expectedRoot}, export ${v.actualRoot}`);
    lines.push(`  ${v.differences.length} account(s) differ:`);
    for (const d of v.differences.slice(0, 200))
      lines.push(`    account ${d.account}: ${d.problem}, ${d.detail}`);
    if (v.differences.length > 200) lines.push(`    ... and ${v.differences.length - 200} more`);
  }
  if (differences === null) {
    lines.push(
      '  results not compared: the snapshot covers only part of the history (a count before the close)',
    );
  } else if (differences.length === 0) {
    lines.push('  result: the same as the live count, share for share (input digest too)');
  } else {
    lines.push('  result DIFFERS from the live count:');
    for (const d of differences) lines.push(`    ${d}`);
  }
  return `${lines.join('\n')}\n`;
}
