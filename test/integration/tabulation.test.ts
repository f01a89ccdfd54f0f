// The live tabulation against DynamoDB Local (issue "Tabulation"): it equals `proxyvote recount` of
// `proxyvote export`, share for share, straight and cumulative; its snapshots are stored and listed;
// the final count is made once, after the polls close; every run publishes its EMF metrics.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { main } from '../../cli/proxyvote.ts';
import type { TabulationResult } from '../../shared/domain/tabulate.ts';
import { liveTabulate } from '../../shared/tabulation/live.ts';
import { tabulationMetrics } from '../../shared/tabulation/metrics.ts';
import { runTabulation, TabulationError } from '../../shared/tabulation/run.ts';
import { SnapshotStore } from '../../shared/tabulation/snapshots.ts';
import { handleWorkerEvent } from '../../shared/tabulation/worker.ts';
import { type AdminApi, startAdminApi } from '../support/operators.ts';
import { buildTabulationFixture, type TabulationFixture } from '../support/tabulation-history.ts';

let fx: TabulationFixture;
let admin: AdminApi;
let dir: string;

/** The CLI in this process, signing as the inspector (the role of the counts and the export). */
async function cli(args: string[]) {
  let out = '';
  let err = '';
  const code = await admin.as('inspector', () =>
    main(args, { out: (s) => (out += s), err: (s) => (err += s) }),
  );
  return { code, out, err };
}

const MEETING_FILE = 'meetings/hemacare-2002.json';

async function recountOfExport(cumulative: boolean): Promise<TabulationResult> {
  const exported = await cli(['export', '--out', dir]);
  expect(exported.code, exported.err).toBe(0);
  const recount = await cli([
    'recount',
    '--meeting',
    MEETING_FILE,
    '--register',
    join(dir, 'register.csv'),
    '--instructions',
    join(dir, 'instructions.jsonl'),
    '--json',
    ...(cumulative ? ['--cumulative'] : []),
  ]);
  expect(recount.code, recount.err).toBe(0);
  return JSON.parse(recount.out) as TabulationResult;
}

beforeAll(async () => {
  // The history is written before the polls close; the counts below run after (the final one needs it).
  fx = await buildTabulationFixture('tab', { retail: 80 });
  admin = await startAdminApi(fx);
  dir = mkdtempSync(join(tmpdir(), 'tabulation-'));
}, 180_000);

afterAll(async () => {
  await admin?.close();
  await fx?.stop();
});

describe('reconciliation: the live count is the recount of the export, share for share', () => {
  for (const cumulative of [false, true]) {
    it(`cumulative: ${cumulative}`, async () => {
      const out = await runTabulation(fx.tabulation, { kind: 'on-demand', requestedBy: 'test', cumulative });
      if (out.outcome !== 'complete') throw new Error(`unexpected outcome ${out.outcome}`);
      const recount = await recountOfExport(cumulative);
      expect(out.result).toEqual(recount);

      // The history is the mix it claims to be, so the equality means something.
      const r = out.result;
      expect(r.conflicts.map((c) => c.account)).toEqual(['R-0005', 'R-0006']);
      expect(r.conflicts.find((c) => c.account === 'R-0006')?.proposals).toEqual(['1', '2']);
      expect(r.conflicts.find((c) => c.account === 'R-0005')?.proposals).toEqual(['2']);
      expect(r.accounts.revoked).toBeGreaterThan(0);
      expect(r.accounts.withoutInstruction).toBeGreaterThan(0);
      expect(r.quorumMet).toBe(true);
      const other = r.proposals.find((p) => p.id === '2');
      if (other?.kind !== 'matter') throw new Error('no matter 2');
      expect(other.for).toBeGreaterThan(1_200_000);
      expect(other.against).toBeGreaterThan(650_000);
      const election = r.proposals.find((p) => p.id === '1');
      if (election?.kind !== 'election') throw new Error('no election 1');
      expect(election.cumulative).toBe(cumulative);
      if (cumulative) expect(election.nominees.some((n) => (n.discretionary ?? 0) > 0)).toBe(true);
      // The snapshot of a run after the close covers the whole history; its input digest is the recount's.
      expect(out.snapshot.digest?.asOf).toBeNull();
      expect(out.snapshot.inputDigest).toBe(recount.inputDigest);
    });
  }

  it('gives the same result and digests with any number of Scan segments', async () => {
    const options = { cumulative: false, asOf: null, pollsClosedAt: null };
    const one = await liveTabulate(fx.doc, fx.names, fx.meeting, { ...options, segments: 1 });
    const seven = await liveTabulate(fx.doc, fx.names, fx.meeting, { ...options, segments: 7 });
    expect(seven.result).toEqual(one.result);
    expect(seven.digest).toEqual(one.digest);
    expect([...seven.leaves]).toEqual([...one.leaves]);
    expect(one.stats.splitAccounts).toBe(0);
    expect(one.digest.instructions).toBe(fx.receipts.length);
  });
  it('gives the same result and digests with the Scans on worker threads as on one thread', async () => {
    const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
    const scanned = await fx.doc.send(new ScanCommand({ TableName: fx.names.votes, ConsistentRead: true }));
    const receivedAt = (scanned.Items ?? [])
      .filter((i) => i.type === 'instruction')
      .map((i) => (JSON.parse(String(i.body)) as { receivedAt: string }).receivedAt)
      .sort();
    expect(scanned.LastEvaluatedKey).toBeUndefined();
    const middle = receivedAt[Math.floor(receivedAt.length / 2)] as string;
    for (const asOf of [null, middle]) {
      const options = { cumulative: false, asOf, pollsClosedAt: null, segments: 5 };
      const one = await liveTabulate(fx.doc, fx.names, fx.meeting, options);
      const threaded = await liveTabulate(fx.doc, fx.names, fx.meeting, {
        ...options,
        threads: { count: 2, dynamo: { endpoint: inject('dynamoEndpoint') } },
      });
      expect([...threaded.leaves]).toEqual([...one.leaves]);
      expect(threaded.digest).toEqual(one.digest);
      expect(threaded.result).toEqual(one.result);
      expect(threaded.stats).toEqual(one.stats);
      if (asOf) expect(one.digest.instructions).toBeLessThan(fx.receipts.length);
    }
  });
  it('counts an account that a Scan returns in pieces from a Query of its whole history, never from a piece', async () => {
    // The real client and service; only the order of the items in each Scan page is changed, the way a
    // Scan that returned an account's items apart would look: the first item of every page goes last.
    const { createDynamoClients } = await import('../../shared/storage/dynamo-client.ts');
    const { client, doc } = createDynamoClients({ endpoint: inject('dynamoEndpoint') });
    let moved = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        const items = (out.output as { Items?: unknown[] }).Items;
        if (context.commandName === 'ScanCommand' && items && items.length > 2) {
          items.push(items.shift());
          moved += 1;
        }
        return out;
      },
      { step: 'initialize', name: 'split-accounts' },
    );
    try {
      const options = { cumulative: false, asOf: null, pollsClosedAt: null, segments: 3 };
      const split = await liveTabulate(doc, fx.names, fx.meeting, options);
      const plain = await liveTabulate(fx.doc, fx.names, fx.meeting, options);
      expect(moved).toBeGreaterThan(0);
      expect(split.stats.splitAccounts).toBeGreaterThan(0);
      expect(split.stats.reruns).toBe(1);
      expect(split.result).toEqual(plain.result);
      expect(split.digest).toEqual(plain.digest);
    } finally {
      client.destroy();
    }
  });
});

describe('snapshots', () => {
  it('stores every run with its result, timing and digests, and lists them newest first', async () => {
    const store = new SnapshotStore(fx.doc, fx.names);
    fx.clock.now += 60_000;
    const a = await runTabulation(fx.tabulation, { kind: 'on-demand', requestedBy: 'test-a' });
    fx.clock.now += 60_000;
    const b = await runTabulation(fx.tabulation, { kind: 'on-demand', requestedBy: 'test-b' });
    if (a.outcome !== 'complete' || b.outcome !== 'complete') throw new Error('runs did not complete');
    const { runs } = await store.list(100);
    const ids = runs.map((r) => r.runId);
    expect(ids.indexOf(b.snapshot.runId)).toBeLessThan(ids.indexOf(a.snapshot.runId));
    expect((await store.latest())?.runId).toBe(b.snapshot.runId);
    const header = await store.header(a.snapshot.runId);
    expect(header).toMatchObject({
      kind: 'on-demand',
      status: 'complete',
      requestedBy: 'test-a',
      durationMs: expect.any(Number),
      inputDigest: a.result.inputDigest,
      digest: { root: expect.stringMatching(/^[0-9a-f]{64}$/), asOf: null },
    });
    expect(await store.result(header as NonNullable<typeof header>)).toEqual(a.result);

    const listed = await cli(['tabulate', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.out.split('\n')[0]).toContain(b.snapshot.runId);
    expect(listed.out).toContain(a.snapshot.runId);
  });

  it('`proxyvote tabulate run` counts through the same use case and prints the digests', async () => {
    const run = await cli(['tabulate', 'run']);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/run \d{8}T\d{9}Z-[0-9a-f]{8} \(on-demand\) complete/);
    expect(run.out).toMatch(
      /history digest [0-9a-f]{64} \(\d+ accounts, \d+ instructions, the whole history\)/,
    );
    // The API's clock is the fixture's at start: other tests' runs may be newer, so show this one by id.
    const runId = /run (\d{8}T\d{9}Z-[0-9a-f]{8})/.exec(run.out)?.[1] as string;
    const show = await cli(['tabulate', 'show', '--meeting', MEETING_FILE, '--run', runId, '--json']);
    const shown = JSON.parse(show.out) as { snapshot: { requestedBy: string }; result: TabulationResult };
    expect(shown.snapshot.requestedBy).toBe(admin.operators.keys.inspector.userArn);
    expect(shown.result).toEqual(await recountOfExport(false));
  });

  it('records a count that fails on bad data, with the problems, and metrics a failure', async () => {
    const { PutCommand, DeleteCommand } = await import('@aws-sdk/lib-dynamodb');
    const bad = { pk: 'ACCOUNT#R-0001', sk: 'INSTR#bad-1', type: 'instruction', body: '{"id":"bad-1"}' };
    await fx.doc.send(new PutCommand({ TableName: fx.names.votes, Item: bad }));
    try {
      const err = await runTabulation(fx.tabulation, { kind: 'on-demand', requestedBy: 'test' }).catch(
        (e) => e,
      );
      expect(err).toBeInstanceOf(TabulationError);
      expect((err as TabulationError).problems.join('\n')).toContain('item ACCOUNT#R-0001/INSTR#bad-1');
      const header = await new SnapshotStore(fx.doc, fx.names).header(
        (err as TabulationError).runId as string,
      );
      expect(header).toMatchObject({
        status: 'failed',
        problems: expect.arrayContaining([expect.stringContaining('bad-1')]),
      });
    } finally {
      await fx.doc.send(new DeleteCommand({ TableName: fx.names.votes, Key: { pk: bad.pk, sk: bad.sk } }));
    }
  });
});

describe('the final count', () => {
  it('is made once, after the polls closed; later requests get it back, nightly runs stop', async () => {
    const store = new SnapshotStore(fx.doc, fx.names);
    expect(await store.final()).toBeNull();
    // The fixture leaves same-date conflicts open on purpose: the final count is refused while they
    // are (RULES.md section 7), the attempt recorded as failed and the claim released at once.
    const before = await runTabulation(fx.tabulation, { kind: 'on-demand', requestedBy: 'test' });
    if (before.outcome !== 'complete') throw new Error(`on-demand: ${before.outcome}`);
    const open = before.result.conflicts.length;
    expect(open).toBeGreaterThan(0);
    const refused = await runTabulation(fx.tabulation, { kind: 'final', requestedBy: 'test' }).catch(
      (e) => e,
    );
    expect(refused).toBeInstanceOf(TabulationError);
    expect(refused).toMatchObject({ code: 'open-conflicts' });
    expect(refused.problems).toHaveLength(open);
    expect(await store.final()).toBeNull();
    expect((await store.finalClaim())?.status).toBe('failed');
    // The inspector's explicit decision makes it, and the snapshot records that decision.
    const first = await runTabulation(fx.tabulation, {
      kind: 'final',
      requestedBy: 'test',
      acceptOpenConflicts: true,
    });
    if (first.outcome !== 'complete') throw new Error(`final: ${first.outcome}`);
    expect(first.snapshot.kind).toBe('final');
    expect(first.snapshot.openConflictsAccepted).toBe(true);
    expect(first.snapshot.pollsClosedAt).toBe(before.snapshot.pollsClosedAt);
    expect(first.snapshot.pollsClosedAt).not.toBeNull();
    expect(first.result.conflicts).toHaveLength(open);
    const again = await runTabulation(fx.tabulation, { kind: 'final', requestedBy: 'test' });
    expect(again).toMatchObject({ outcome: 'already-final', snapshot: { runId: first.snapshot.runId } });
    expect((await store.final())?.runId).toBe(first.snapshot.runId);
    expect(await runTabulation(fx.tabulation, { kind: 'nightly', requestedBy: 'schedule' })).toMatchObject({
      outcome: 'skipped',
    });
  });
});

describe('proxyvote certificate', () => {
  it('writes the FINAL certificate of the final count, HTML and CSV, outside the repository by default', async () => {
    const into = mkdtempSync(join(tmpdir(), 'certificate-'));
    const named = await cli(['certificate', '--out', into]);
    expect(named.code, named.err).toBe(0);
    const final = await new SnapshotStore(fx.doc, fx.names).final();
    const id = final?.runId as string;
    expect(named.out).toContain(`FINAL certificate of the final count, run ${id}`);
    const page = readFileSync(join(into, `certificate-${id}.html`), 'utf8');
    expect(page).toContain('<p class="status">FINAL</p>');
    const csv = readFileSync(join(into, `certificate-${id}.csv`), 'utf8');
    expect(csv).toContain('meeting,,,status,FINAL');
    expect(csv).toContain(`meeting,,,shares_present,${final?.summary?.sharesPresent}`);
    // Without --out: the CLI's output folder (PROXYVOTE_OUTPUT_DIR, else ~/proxyvote-output), never
    // the working directory.
    const output = mkdtempSync(join(tmpdir(), 'proxyvote-output-'));
    const saved = process.env.PROXYVOTE_OUTPUT_DIR;
    process.env.PROXYVOTE_OUTPUT_DIR = output;
    let byDefault: Awaited<ReturnType<typeof cli>>;
    try {
      byDefault = await cli(['certificate', '--run', 'latest']);
    } finally {
      if (saved === undefined) delete process.env.PROXYVOTE_OUTPUT_DIR;
      else process.env.PROXYVOTE_OUTPUT_DIR = saved;
    }
    expect(byDefault.code, byDefault.err).toBe(0);
    const written = /^ {2}(\S+\.html)$/m.exec(byDefault.out)?.[1] as string;
    expect(written.startsWith(join(output, 'certificate-'))).toBe(true);
    expect(existsSync(written)).toBe(true);
    expect(await cli(['certificate', '--run', '20020101T000000000Z-00000000'])).toMatchObject({
      code: 1,
      err: expect.stringContaining('no count "20020101T000000000Z-00000000"'),
    });
  });
});

describe('metrics', () => {
  it('publishes shares present, quorum, per-nominee FOR, per-matter counts, conflicts and run time as EMF', async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    let result: TabulationResult;
    try {
      const out = await runTabulation(
        { ...fx.tabulation, metrics: tabulationMetrics(fx.meeting.id) },
        { kind: 'on-demand', requestedBy: 'test' },
      );
      if (out.outcome !== 'complete') throw new Error(out.outcome);
      result = out.result;
    } finally {
      spy.mockRestore();
    }
    const docs = lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.startsWith('{') && l.includes('"_aws"'))
      .map(
        (l) =>
          JSON.parse(l) as Record<string, unknown> & {
            _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][] }> };
          },
      );
    expect(docs.length).toBeGreaterThan(0);
    for (const d of docs) {
      expect(d._aws.CloudWatchMetrics[0]?.Namespace).toBe('ProxyVote');
      expect(d.meeting).toBe('hemacare-2002');
    }
    const main = docs.find((d) => 'SharesPresent' in d);
    expect(main).toMatchObject({
      SharesPresent: result.sharesPresent,
      OpenConflicts: 2,
      QuorumPercent: Math.round((result.sharesPresent / result.requiredQuorum) * 10_000) / 100,
      TabulationRunTime: expect.any(Number),
    });
    const election = result.proposals.find((p) => p.kind === 'election');
    if (election?.kind !== 'election') throw new Error('no election');
    for (const n of election.nominees) {
      const doc = docs.find((d) => d.nominee === n.id);
      expect(doc, n.id).toMatchObject({ proposal: '1', NomineeFor: n.for });
      expect(doc?._aws.CloudWatchMetrics[0]?.Dimensions[0]).toEqual(
        expect.arrayContaining(['meeting', 'proposal', 'nominee']),
      );
    }
    const matter = result.proposals.find((p) => p.kind === 'matter');
    if (matter?.kind !== 'matter') throw new Error('no matter');
    const matterDocs = docs.filter((d) => d.proposal === '2');
    expect(Object.assign({}, ...matterDocs)).toMatchObject({
      MatterFor: matter.for,
      MatterAgainst: matter.against,
      MatterAbstain: matter.abstain,
    });
  });
});

describe('the worker', () => {
  it('runs a pending admin request once (the minute watch), and nothing else when the final count exists', async () => {
    const store = new SnapshotStore(fx.doc, fx.names);
    await store.request(
      'on-demand',
      'local:clerk.lee',
      undefined,
      `w-${Date.now()}`,
      new Date(fx.clock.now).toISOString(),
    );
    const runtime = { deps: fx.tabulation, snapshots: store, doc: fx.doc, mode: 'request' as const };
    const log = () => {};
    const first = await handleWorkerEvent(runtime as never, { action: 'watch' }, log);
    expect(first.runs).toEqual([
      expect.objectContaining({ outcome: 'complete', trigger: expect.stringMatching(/^request /) }),
    ]);
    const second = await handleWorkerEvent(runtime as never, { action: 'watch' }, log);
    expect(second.runs).toEqual([]);
    expect(await store.pendingRequests()).toEqual([]);
    await expect(handleWorkerEvent(runtime as never, { action: 'dance' }, log)).rejects.toThrow(
      /not a tabulation event/,
    );
  });
});
