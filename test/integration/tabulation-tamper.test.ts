// Tamper evidence end to end (issue "Tabulation", item 5): the final count stores the history digest;
// `proxyvote tabulate show --out` writes the snapshot file; `proxyvote recount --verify` of a later
// export passes on the untouched history and fails, naming the account, when a stored instruction is
// changed, deleted or inserted behind the product's back.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/proxyvote.ts';
import { canonicalJson } from '../../shared/domain/canonical.ts';
import type { Instruction } from '../../shared/domain/instruction.ts';
import { orderKey } from '../../shared/domain/revocation.ts';
import { runTabulation } from '../../shared/tabulation/run.ts';
import { enterForOperator } from '../../shared/voting/operator.ts';
import { type AdminApi, startAdminApi } from '../support/operators.ts';
import { buildTabulationFixture, type TabulationFixture } from '../support/tabulation-history.ts';

const MEETING_FILE = 'meetings/hemacare-2002.json';

async function cli(args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

function harness(admin: () => AdminApi) {
  const dir = mkdtempSync(join(tmpdir(), 'tamper-'));
  return {
    dir,
    async snapshotFile(run: string): Promise<string> {
      const file = join(dir, `${run}.json`);
      const shown = await admin().as('inspector', () =>
        cli(['tabulate', 'show', '--meeting', MEETING_FILE, '--run', run, '--out', file]),
      );
      expect(shown.code, shown.err).toBe(0);
      return file;
    },
    async verify(snapshot: string) {
      const exported = await admin().as('inspector', () => cli(['export', '--out', dir]));
      expect(exported.code, exported.err).toBe(0);
      return cli([
        'recount',
        '--meeting',
        MEETING_FILE,
        '--register',
        join(dir, 'register.csv'),
        '--instructions',
        join(dir, 'instructions.jsonl'),
        '--verify',
        snapshot,
      ]);
    },
  };
}

async function item(fx: TabulationFixture, account: string, id: string) {
  const out = await fx.doc.send(
    new GetCommand({ TableName: fx.names.votes, Key: { pk: `ACCOUNT#${account}`, sk: `INSTR#${id}` } }),
  );
  if (!out.Item) throw new Error(`no item ${account}/${id}`);
  return out.Item;
}

const put = (fx: TabulationFixture, i: Record<string, unknown>) =>
  fx.doc.send(new PutCommand({ TableName: fx.names.votes, Item: i }));
const remove = (fx: TabulationFixture, i: Record<string, unknown>) =>
  fx.doc.send(new DeleteCommand({ TableName: fx.names.votes, Key: { pk: i.pk, sk: i.sk } }));

/** A stored instruction item as the store writes it, for an insertion behind the product's back. */
function forgedItem(fx: TabulationFixture, i: Instruction) {
  return {
    pk: `ACCOUNT#${i.account}`,
    sk: `INSTR#${i.id}`,
    type: 'instruction',
    account: i.account,
    orderKey: orderKey(i, fx.meeting.timeZone),
    receiptCode: 'FORG-ED00-0000',
    body: canonicalJson(i),
  };
}

describe('the final count against later exports', () => {
  let fx: TabulationFixture;
  let admin: AdminApi;
  const h = harness(() => admin);
  let snapshot: string;

  beforeAll(async () => {
    fx = await buildTabulationFixture('tamper', { retail: 30, seed: 7 });
    admin = await startAdminApi(fx);
    const final = await runTabulation(fx.tabulation, {
      kind: 'final',
      requestedBy: 'test',
      acceptOpenConflicts: true,
    });
    if (final.outcome !== 'complete') throw new Error(final.outcome);
    snapshot = await h.snapshotFile('final');
  }, 180_000);

  afterAll(async () => {
    await admin?.close();
    await fx?.stop();
  });

  it('verifies the untouched history, and the recount equals the final count', async () => {
    const v = await h.verify(snapshot);
    expect(v.code, v.out).toBe(0);
    expect(v.out).toMatch(/history digest VERIFIED: [0-9a-f]{64} \(\d+ accounts, \d+ instructions\)/);
    expect(v.out).toContain('result: the same as the live count, share for share');
  });

  it('fails when a stored instruction is changed, naming the account', async () => {
    const r = fx.receipts.find((x) => x.account === 'R-0008' && x.kind === 'proxy') as {
      instructionId: string;
    };
    const original = await item(fx, 'R-0008', r.instructionId);
    const body = JSON.parse(String(original.body)) as Instruction & { votes: Record<string, unknown> };
    const changed = body.votes['2'] === 'ABSTAIN' ? 'FOR' : 'ABSTAIN';
    await put(fx, { ...original, body: canonicalJson({ ...body, votes: { ...body.votes, '2': changed } }) });
    try {
      const v = await h.verify(snapshot);
      expect(v.code).toBe(1);
      expect(v.out).toContain('history digest MISMATCH');
      expect(v.out).toMatch(/account R-0008: changed, an instruction was changed/);
      expect(v.out).toContain('1 account(s) differ');
    } finally {
      await put(fx, original);
    }
  });

  it('fails when a stored instruction is deleted, naming the account', async () => {
    const r = fx.receipts.find((x) => x.account === 'R-0007') as { instructionId: string };
    const original = await item(fx, 'R-0007', r.instructionId);
    await remove(fx, original);
    try {
      const v = await h.verify(snapshot);
      expect(v.code).toBe(1);
      const [, before, after] =
        /account R-0007: changed, 1 instruction\(s\) deleted: (\d+) in the snapshot, (\d+) now/.exec(v.out) ??
        [];
      expect(Number(before) - Number(after)).toBe(1);
    } finally {
      await put(fx, original);
    }
  });

  it('fails when an account loses every instruction, or one appears where there was none', async () => {
    const only = fx.receipts.find((x) => x.account === 'FOUNDER-1') as { instructionId: string };
    const original = await item(fx, 'FOUNDER-1', only.instructionId);
    const silent = fx.holders.find(
      (x) => x.account.startsWith('R-') && !fx.receipts.some((r) => r.account === x.account),
    );
    if (!silent) throw new Error('every retail account voted: pick another seed');
    const forged = forgedItem(fx, {
      id: 'forged-1',
      account: silent.account,
      kind: 'proxy',
      channel: 'internet',
      receivedAt: '2002-06-01T17:00:00.000Z',
      signedBy: silent.name,
      votes: { '2': 'FOR' },
    });
    await remove(fx, original);
    await put(fx, forged);
    try {
      const v = await h.verify(snapshot);
      expect(v.code).toBe(1);
      expect(v.out).toMatch(
        /account FOUNDER-1: missing, every instruction of the account is gone \(1 in the snapshot\)/,
      );
      expect(v.out).toMatch(
        new RegExp(`account ${silent.account}: extra, 1 instruction\\(s\\) the snapshot did not have`),
      );
      // The live count moved too, and the recount says where.
      expect(v.out).toContain('result DIFFERS from the live count');
      expect(v.out).toMatch(/shares present differs: live [\d,]+ \/ recount [\d,]+/);
      expect(v.out).toMatch(/Proposal 2 \(Other business[^)]*\): FOR differs: live [\d,]+ \/ recount [\d,]+/);
    } finally {
      await remove(fx, forged);
      await put(fx, original);
    }
  });

  it('fails when an instruction is inserted into an account, naming the account', async () => {
    const forged = forgedItem(fx, {
      id: 'forged-2',
      account: 'R-0006',
      kind: 'proxy',
      channel: 'internet',
      receivedAt: '2002-06-01T17:00:00.000Z',
      signedBy: 'Holder R-0006',
      votes: {},
    });
    await put(fx, forged);
    try {
      const v = await h.verify(snapshot);
      expect(v.code).toBe(1);
      const [, before, after] =
        /account R-0006: changed, 1 instruction\(s\) inserted: (\d+) in the snapshot, (\d+) now/.exec(
          v.out,
        ) ?? [];
      expect(Number(after) - Number(before)).toBe(1);
    } finally {
      await remove(fx, forged);
    }
  });

  it('fails when the snapshot file itself is altered', async () => {
    const altered = join(h.dir, 'altered.json');
    const file = JSON.parse(readFileSync(snapshot, 'utf8')) as { leaves: [string, number, string][] };
    const first = file.leaves[0] as [string, number, string];
    first[2] = first[2].replace(/^./, (c) => (c === '0' ? '1' : '0'));
    writeFileSync(altered, JSON.stringify(file));
    const v = await h.verify(altered);
    expect(v.code).toBe(1);
    expect(v.out).toContain('THE SNAPSHOT FILE IS ALTERED');
    expect(v.out).toMatch(new RegExp(`account ${first[0]}: changed`));
  });

  it('verifies again once everything is put back', async () => {
    expect((await h.verify(snapshot)).code).toBe(0);
  });
});

describe('a count before the close', () => {
  let fx: TabulationFixture;
  let admin: AdminApi;
  const h = harness(() => admin);

  beforeAll(async () => {
    fx = await buildTabulationFixture('tamperopen', { retail: 20, seed: 11, closePolls: false });
    admin = await startAdminApi(fx);
  }, 180_000);

  afterAll(async () => {
    await admin?.close();
    await fx?.stop();
  });

  it('covers what was received a minute before it started; later instructions leave it verifiable', async () => {
    const run = await runTabulation(fx.tabulation, { kind: 'on-demand', requestedBy: 'test' });
    if (run.outcome !== 'complete') throw new Error(run.outcome);
    expect(run.snapshot.digest?.asOf).toBe(new Date(fx.clock.now - 60_000).toISOString());
    const snapshot = await h.snapshotFile(run.snapshot.runId);

    // The meeting goes on: a ballot cast after the count.
    fx.clock.now += 10 * 60_000;
    await enterForOperator(fx.voting, {
      kind: 'meeting-ballot',
      account: 'R-0003',
      operator: 'clerk.lee',
      entryKey: 'late-ballot-1',
      signedBy: 'Holder R-0003',
      votes: { '2': 'ABSTAIN' },
    });
    const later = await h.verify(snapshot);
    expect(later.code, later.out).toBe(0);
    expect(later.out).toContain('instructions received before');
    expect(later.out).toContain('results not compared');

    // A backdated insertion is caught by the earlier snapshot.
    const forged = forgedItem(fx, {
      id: 'forged-3',
      account: 'R-0004',
      kind: 'proxy',
      channel: 'internet',
      receivedAt: '2002-05-30T17:00:00.000Z',
      signedBy: 'Holder R-0004',
      votes: { '2': 'AGAINST' },
    });
    await put(fx, forged);
    try {
      const v = await h.verify(snapshot);
      expect(v.code).toBe(1);
      expect(v.out).toMatch(/account R-0004: (changed, 1 instruction\(s\) inserted|extra)/);
    } finally {
      await remove(fx, forged);
    }
  });
});
