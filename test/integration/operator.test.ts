// Operator entries through the admin API (signed by the clerk's, the inspector's and the supervisor's
// local keys), the polls closing, and the export that the inspector's recount reads: the recount of the
// export counts only each account's latest-dated instruction.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/proxyvote.ts';
import type { TabulationResult } from '../../shared/domain/tabulate.ts';
import type { OperatorRole } from '../../shared/http/operators.ts';
import type { HttpAdapter } from '../../shared/local/http-adapter.ts';
import { tableNames } from '../../shared/storage/tables.ts';
import { hemacare, holder } from '../support/builders.ts';
import type { Json } from '../support/http.ts';
import { postJson, startVotingStack, type VotingStack } from '../support/voting-stack.ts';

const meeting = hemacare();
const prefix = `proxyvote-op${randomBytes(4).toString('hex')}`;
let stack: VotingStack;
let api: HttpAdapter;
let control: string;

beforeAll(async () => {
  stack = await startVotingStack({
    label: 'operator',
    names: tableNames(meeting.id, prefix),
    holders: [
      holder('P-1', 4_000_000, { name: 'Paula Pape' }),
      holder('P-2', 1_000, { name: 'Ruth Park' }),
      holder('REST', meeting.sharesOutstanding - 4_001_000),
    ],
    // 10 June 2002, 10:00 in Los Angeles.
    asOf: '2002-06-10T17:00:00.000Z',
  });
  api = stack.api;
  control = stack.controls.get('P-1') as string;
});

afterAll(() => stack?.stop());

/** A signed admin POST, by default as the clerk. */
async function admin(path: string, body: unknown, role: OperatorRole = 'clerk') {
  const res = await stack.operators.client(api.url, role).request('POST', path, { body });
  return { status: res.status, json: JSON.parse(res.text) as Json };
}
/** A signed admin GET, by default as the inspector. */
async function getAdmin(path: string, role: OperatorRole = 'inspector') {
  const res = await stack.operators.client(api.url, role).request('GET', path);
  return { status: res.status, json: JSON.parse(res.text) as Json };
}
const jsonOf = async (res: { json: Json }) => res.json;

async function cli(args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('operator entries', () => {
  it("refuses the supervisor's key on the clerk's route, and writes nothing", async () => {
    const res = await admin(
      '/admin/entries',
      { kind: 'revocation', account: 'P-1', entryKey: 'k-00000001', dated: '2002-06-01', signedBy: 'x' },
      'supervisor',
    );
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('wrong_role');
  });

  it('a paper card dated before an internet proxy does not replace it; a later-dated one does', async () => {
    const net = await postJson(api.url, '/api/proxy', {
      controlNumber: control,
      votes: { '2': 'FOR' },
      idempotencyKey: 'net-000001',
    });
    expect(net.status).toBe(201);
    const older = await admin('/admin/entries', {
      kind: 'paper-proxy',
      account: 'P-1',
      entryKey: 'paper-0001',
      dated: '2002-06-08',
      signedBy: 'Paula Pape',
      votes: { '2': 'AGAINST' },
    });
    expect(older.status).toBe(201);
    // The same entry again (a retry after a lost answer): answered with the first, recorded once.
    const retried = await admin('/admin/entries', {
      kind: 'paper-proxy',
      account: 'P-1',
      entryKey: 'paper-0001',
      dated: '2002-06-08',
      signedBy: 'Paula Pape',
      votes: { '2': 'AGAINST' },
    });
    expect(retried.status).toBe(200);
    expect(retried.json).toMatchObject({ replayed: true, instructionId: older.json.instructionId });
    expect(await jsonOf(older)).toMatchObject({
      effective: false,
      enteredBy: stack.operators.keys.clerk.userArn,
    });
    const newer = await admin('/admin/entries', {
      kind: 'paper-proxy',
      account: 'P-1',
      entryKey: 'paper-0002',
      dated: '2002-06-10',
      signedBy: 'Paula Pape',
      votes: { '2': 'ABSTAIN' },
    });
    expect(await jsonOf(newer)).toMatchObject({ effective: true });
  });

  it('names the field of a bad entry and writes nothing', async () => {
    const future = await admin('/admin/entries', {
      kind: 'revocation',
      account: 'P-2',
      entryKey: 'bad-00001',
      dated: '2002-06-11',
      signedBy: 'Ruth Park',
    });
    expect(future.status).toBe(400);
    expect((await jsonOf(future)).error.fields).toEqual([
      { path: 'dated', message: 'is after today (2002-06-10): a paper cannot be dated in the future' },
    ]);
    const unknown = await admin('/admin/entries', {
      kind: 'revocation',
      account: 'NOPE',
      entryKey: 'bad-00002',
      dated: '2002-06-01',
      signedBy: 'x',
    });
    expect((await jsonOf(unknown)).error.fields[0].path).toBe('account');
    const ballot = await admin('/admin/entries', {
      kind: 'meeting-ballot',
      account: 'P-2',
      entryKey: 'bad-00003',
      signedBy: 'Ruth Park',
      votes: {},
    });
    expect((await jsonOf(ballot)).error.message).toBe(
      'A ballot can only be cast once the meeting has started.',
    );
  });

  it('flags two differing cards of one date, and the inspector resolves the conflict through the CLI', async () => {
    const answers: Array<{ effective: boolean; conflict: unknown; instructionId: string }> = [];
    for (const [k, v] of [
      ['c-ruth-01', 'FOR'],
      ['c-ruth-02', 'AGAINST'],
    ] as const) {
      const res = await admin('/admin/entries', {
        kind: 'paper-proxy',
        account: 'P-2',
        entryKey: k,
        dated: '2002-06-03',
        signedBy: 'Ruth Park',
        votes: { '2': v },
      });
      expect(res.status).toBe(201);
      answers.push(await jsonOf(res));
    }
    // The clerk is told at once: the second card leaves the account in a conflict, naming both cards.
    expect(answers[0]).toMatchObject({ effective: true, conflict: null });
    expect(answers[1]).toMatchObject({
      effective: false,
      conflict: {
        account: 'P-2',
        proposals: ['2'],
        instruments: [
          { id: answers[0]?.instructionId, kind: 'proxy', dated: '2002-06-03', signedBy: 'Ruth Park' },
          { id: answers[1]?.instructionId, kind: 'proxy', dated: '2002-06-03', signedBy: 'Ruth Park' },
        ],
      },
    });
    const listed = await jsonOf(await getAdmin('/admin/conflicts'));
    expect(listed.conflicts).toMatchObject([
      { account: 'P-2', holder: { name: 'Ruth Park', shares: 1_000 }, proposals: ['2'] },
    ]);
    expect(listed.conflicts[0].instruments).toHaveLength(2);
    const dir = mkdtempSync(join(tmpdir(), 'export-'));
    const args = ['--out', dir, '--api', api.url];
    const exportAsInspector = () =>
      stack.operators.asProfile('inspector', api.url, () => cli(['export', ...args]));
    expect((await exportAsInspector()).code).toBe(0);
    const recount = async () =>
      JSON.parse(
        (
          await cli([
            'recount',
            '--meeting',
            'meetings/hemacare-2002.json',
            '--register',
            join(dir, 'register.csv'),
            '--instructions',
            join(dir, 'instructions.jsonl'),
            '--json',
          ])
        ).out,
      ) as TabulationResult;
    const before = await recount();
    expect(before.conflicts).toHaveLength(1);
    const instrumentId = before.conflicts[0]?.instruments[0] as string;

    const resolution = ['enter', 'resolution', '--account', 'P-2', '--chooses', instrumentId, '--json'];
    // The clerk may not resolve a conflict: it is the inspector's.
    const byClerk = await stack.operators.asProfile('clerk', api.url, () => cli(resolution));
    expect(byClerk.code).toBe(1);
    expect(byClerk.err).toContain('refused (403)');
    const resolved = await stack.operators.asProfile('inspector', api.url, () => cli(resolution));
    expect(resolved.code, resolved.err).toBe(0);
    expect(JSON.parse(resolved.out)).toMatchObject({
      kind: 'resolution',
      enteredBy: stack.operators.keys.inspector.userArn,
    });

    expect((await exportAsInspector()).code).toBe(0);
    const after = await recount();
    expect(after.conflicts).toEqual([]);
    const other = after.proposals.find((p) => p.id === '2');
    // P-1: its latest-dated card (ABSTAIN, dated 10 June) counts; P-2: the inspector's choice (FOR).
    expect(other).toMatchObject({ for: 1_000, against: 0, abstain: 4_000_000 });
    expect(after.sharesPresent).toBe(4_001_000);
  });

  it('a same-date card entered after the resolution reopens the conflict, and the answer says so', async () => {
    const res = await admin('/admin/entries', {
      kind: 'paper-proxy',
      account: 'P-2',
      entryKey: 'c-ruth-03',
      dated: '2002-06-03',
      signedBy: 'Ruth Park',
      votes: { '2': 'ABSTAIN' },
    });
    expect(res.status).toBe(201);
    const body = await jsonOf(res);
    expect(body).toMatchObject({ effective: false, conflict: { account: 'P-2', proposals: ['2'] } });
    expect(body.conflict.instruments).toHaveLength(2);
    expect((await jsonOf(await getAdmin('/admin/conflicts'))).conflicts).toHaveLength(1);
    // The list is the inspector's: the clerk's key is refused there.
    expect((await getAdmin('/admin/conflicts', 'clerk')).status).toBe(403);
  });

  it('the supervisor closes the polls only at the meeting, or early with a recorded reason; every vote ends, resolutions go on', async () => {
    expect((await admin('/admin/polls/close', {}, 'clerk')).status).toBe(403);
    // 10 June, before the meeting (13 June 9:30): refused without an override, naming the field.
    const early = await admin('/admin/polls/close', {}, 'supervisor');
    expect(early.status).toBe(400);
    expect((await jsonOf(early)).error.fields).toEqual([
      { path: 'override', message: 'is needed to close the polls before the meeting starts' },
    ]);
    const supervisor = stack.operators.keys.supervisor.userArn;
    const close = await admin(
      '/admin/polls/close',
      { override: 'meeting adjourned by the chair' },
      'supervisor',
    );
    expect(close.status).toBe(200);
    const closed = await jsonOf(close);
    expect(closed).toMatchObject({
      closedBy: supervisor,
      override: 'meeting adjourned by the chair',
      alreadyClosed: false,
    });
    const again = await admin('/admin/polls/close', {}, 'supervisor');
    expect(await jsonOf(again)).toMatchObject({
      closedAt: closed.closedAt,
      closedBy: supervisor,
      alreadyClosed: true,
    });

    // The internet too: a proxy and a revocation get 410, in the meeting's terms.
    const net = await postJson(api.url, '/api/proxy', {
      controlNumber: control,
      votes: { '2': 'AGAINST' },
      idempotencyKey: 'net-after-close',
    });
    expect(net.status).toBe(410);
    expect(((await net.json()) as Json).error.message).toMatch(
      /^The polls were closed at 2002-06-10 \d\d:\d\d:\d\d PDT: no more votes, revocations or entries can be recorded\.$/,
    );
    const rev = await postJson(api.url, '/api/revoke', {
      controlNumber: control,
      idempotencyKey: 'rev-after-close',
    });
    expect(rev.status).toBe(410);
    const late = await admin('/admin/entries', {
      kind: 'revocation',
      account: 'P-1',
      entryKey: 'late-0001',
      dated: '2002-06-10',
      signedBy: 'Paula Pape',
    });
    expect(late.status).toBe(410);

    // The inspector's resolution is still taken after the close, until the final count.
    const { conflicts } = await jsonOf(await getAdmin('/admin/conflicts'));
    const abstain = conflicts[0].instruments[1].id as string;
    const resolved = await admin(
      '/admin/resolutions',
      { account: 'P-2', entryKey: 'res-after-close', chooses: abstain },
      'inspector',
    );
    expect(resolved.status).toBe(201);
    expect((await jsonOf(await getAdmin('/admin/conflicts'))).conflicts).toEqual([]);

    // The export carries the closing; the recount applies it.
    const dir = mkdtempSync(join(tmpdir(), 'export-closed-'));
    const exported = await stack.operators.asProfile('inspector', api.url, () =>
      cli(['export', '--out', dir, '--api', api.url]),
    );
    expect(exported.code, exported.err).toBe(0);
    const recount = await cli([
      'recount',
      '--meeting',
      'meetings/hemacare-2002.json',
      '--register',
      join(dir, 'register.csv'),
      '--instructions',
      join(dir, 'instructions.jsonl'),
      '--json',
    ]);
    const result = JSON.parse(recount.out) as TabulationResult;
    expect(result.pollsClosedAt).toBe(closed.closedAt);
    expect(result.rejected).toEqual([]);
    expect(result.conflicts).toEqual([]);
    // P-2: the resolution chose the ABSTAIN card; P-1: its card dated 10 June (ABSTAIN).
    expect(result.proposals.find((p) => p.id === '2')).toMatchObject({
      for: 0,
      against: 0,
      abstain: 4_001_000,
    });
  });
});
