// A contested meeting end to end against DynamoDB Local (issue 19): internet proxies (the registrant's
// card) and paper cards of both parties entered by the operator with their party and agent, counted
// live, exported and recounted by `proxyvote recount`: the same figures, share for share.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { main } from '../../cli/proxyvote.ts';
import { toJsonl } from '../../shared/domain/history.ts';
import type { Votes } from '../../shared/domain/instruction.ts';
import { parseMeeting } from '../../shared/domain/meeting.ts';
import { serializeRegister } from '../../shared/domain/register.ts';
import type { ElectionResult, TabulationResult } from '../../shared/domain/tabulate.ts';
import { createTables } from '../../shared/storage/create-tables.ts';
import { createDynamoClients } from '../../shared/storage/dynamo-client.ts';
import { exportHistory, exportRegister } from '../../shared/storage/history-export.ts';
import { TABLE_KINDS, tableNames } from '../../shared/storage/tables.ts';
import { DynamoVoteStore } from '../../shared/storage/vote-store.ts';
import { runTabulation, type TabulationDeps } from '../../shared/tabulation/run.ts';
import { enterForOperator } from '../../shared/voting/operator.ts';
import { importHolders } from '../../shared/voting/register-import.ts';
import { submitProxy, type VotingDeps } from '../../shared/voting/submit.ts';
import { fixtureHolders, prng } from '../support/tabulation-history.ts';

const MEETING_FILE = 'meetings/hemacare-2002-contested.json';
const meeting = parseMeeting(readFileSync(MEETING_FILE, 'utf8'));
const prefix = `proxyvote-contest${randomBytes(4).toString('hex')}`;
const names = tableNames(meeting.id, prefix);
const { client, doc } = createDynamoClients({ endpoint: inject('dynamoEndpoint') });
const clock = { now: Date.parse('2002-05-20T17:00:00.000Z') };
let tabulation: TabulationDeps;
let dir: string;

async function cli(args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

beforeAll(async () => {
  await createTables(client, names);
  const holders = fixtureHolders(meeting, 60, prng(19));
  const secret = randomBytes(32);
  const { issued: controls } = await importHolders(doc, names, holders, secret, randomBytes);
  const now = () => clock.now;
  const voting: VotingDeps = {
    meeting,
    store: new DynamoVoteStore(doc, names, now),
    secret,
    now,
    randomBytes,
    maxFailures: 1_000,
  };
  let key = 0;
  const nextKey = () => `contest-${String(++key).padStart(6, '0')}`;
  const internet = (account: string, votes: Votes) =>
    submitProxy(
      voting,
      { controlNumber: controls.get(account) as string, votes, idempotencyKey: nextKey() },
      '10.0.0.1',
    );
  const card = (account: string, party: string, dated: string, votes: Votes = {}) =>
    enterForOperator(voting, {
      kind: 'paper-proxy',
      account,
      operator: 'clerk.lee',
      entryKey: nextKey(),
      dated,
      signedBy: `Holder ${account}`,
      votes,
      party,
      ...(party === 'committee' ? { agent: 'Acme Proxy Solicitors' } : {}),
    });
  const retail = holders.filter((h) => h.account.startsWith('R-'));
  for (const [i, h] of retail.entries()) {
    const a = h.account;
    switch (i % 6) {
      case 0:
        await internet(a, {});
        break;
      case 1:
        await internet(a, { '1': { marks: { hartley: 'FOR', darlington: 'FOR' } } });
        break;
      case 2:
        await card(a, 'committee', '2002-05-19');
        break;
      case 3:
        await card(a, 'committee', '2002-05-19', { '1': { marks: { okafor: 'FOR' } } });
        break;
      case 4: {
        const six = ['darlington', 'johnson', 'wallace', 'hartley', 'okafor', 'lindqvist'];
        await card(a, 'committee', '2002-05-19', {
          '1': { marks: Object.fromEntries(six.map((n) => [n, 'FOR' as const])) },
          '2': 'AGAINST',
        });
        break;
      }
      case 5:
        await card(a, 'board', '2002-05-18');
        await card(a, 'committee', '2002-05-18');
        break;
    }
    // Revocation ignores parties: some committee cards are followed by a later internet proxy.
    if (i % 12 === 2) {
      clock.now += 60_000;
      await internet(a, { '2': 'FOR' });
    }
  }
  await card('FOUNDER-1', 'committee', '2002-05-19', { '2': 'FOR' });
  // Refused at entry, nothing recorded: a party the meeting does not name, another party's card on-line.
  await expect(card('FOUNDER-1', 'raider', '2002-05-19')).rejects.toMatchObject({
    problems: [{ path: 'party', message: 'no party "raider" in this meeting ("board", "committee")' }],
  });
  clock.now += 3_600_000;
  tabulation = {
    meeting,
    doc,
    tables: names,
    now: () => clock.now,
    randomHex: () => randomBytes(4).toString('hex'),
    segments: 3,
    cumulative: false,
  };
  dir = mkdtempSync(join(tmpdir(), 'contest-'));
}, 180_000);

afterAll(async () => {
  await Promise.allSettled(
    TABLE_KINDS.map((k) => client.send(new DeleteTableCommand({ TableName: names[k] }))),
  );
  client.destroy();
});

describe('a contested meeting: the live count is the recount of the export', () => {
  it('share for share, with the cards of both parties', async () => {
    const out = await runTabulation(tabulation, {
      kind: 'on-demand',
      requestedBy: 'test',
      cumulative: false,
    });
    if (out.outcome !== 'complete') throw new Error(`unexpected outcome ${out.outcome}`);
    // The export as `proxyvote export` writes it (the admin API pages the same reads and sorts).
    const [holders, history] = await Promise.all([
      exportRegister(doc, names, 3),
      exportHistory(doc, names, 3),
    ]);
    writeFileSync(join(dir, 'register.csv'), serializeRegister(holders));
    writeFileSync(join(dir, 'instructions.jsonl'), toJsonl(history));
    const jsonl = readFileSync(join(dir, 'instructions.jsonl'), 'utf8');
    expect(jsonl).toContain('"party":"committee"');
    expect(jsonl).toContain('"agent":"Acme Proxy Solicitors"');
    const recount = await cli([
      'recount',
      '--meeting',
      MEETING_FILE,
      '--register',
      join(dir, 'register.csv'),
      '--instructions',
      join(dir, 'instructions.jsonl'),
      '--json',
    ]);
    expect(recount.code, recount.err).toBe(0);
    const r = JSON.parse(recount.out) as TabulationResult;
    expect(out.result).toEqual(r);

    // The history is the contest it claims to be, so the equality means something.
    const e = r.proposals.find((p) => p.id === '1') as ElectionResult;
    expect(r.quorumMet).toBe(true);
    expect(e.overVotes).toBe(10);
    expect(r.conflicts).toHaveLength(10);
    const line = (id: string) => e.nominees.find((n) => n.id === id);
    // The committee's blank card: FOR its three and Wallace, Belisle; WITHHOLD the three others.
    expect(line('lindqvist')?.for).toBeGreaterThan(0);
    expect(line('darlington')?.withhold).toBeGreaterThan(0);
    // The founder's blank committee card is FOR Wallace and WITHHOLD Darlington.
    expect(line('wallace')?.for ?? 0).toBeGreaterThan(line('darlington')?.for ?? 0);
    expect(line('hartley')?.parties).toEqual(['committee']);
  });
});
