// The operator's CLI against a local stack of the contested example meeting: paper cards of both
// parties with --party and --agent, the holder's name and shares echoed on every entry, refusals in
// the domain's words, the export written outside the repository with progress, and the count asked
// for by the signing inspector.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/proxyvote.ts';
import { parseMeeting } from '../../shared/domain/meeting.ts';
import type { OperatorRole } from '../../shared/http/operators.ts';
import { holder } from '../support/builders.ts';
import { uniqueTableNames } from '../support/local-env.ts';
import { startVotingStack, type VotingStack } from '../support/voting-stack.ts';

const MEETING_FILE = new URL('../../meetings/hemacare-2002-contested.json', import.meta.url).pathname;
const MEETING_JSON = readFileSync(MEETING_FILE, 'utf8');
const meeting = parseMeeting(MEETING_JSON);
const STACK_FRAME = /^\s+at /m;
let stack: VotingStack;

beforeAll(async () => {
  stack = await startVotingStack({
    label: 'cli',
    names: uniqueTableNames('cli', meeting.id),
    holders: [
      holder('C-1', 100_000, { name: 'Ruth Park', jointNames: ['Ann Park'] }),
      holder('C-2', 20_000, { name: 'Oscar Lind' }),
      holder('REST', meeting.sharesOutstanding - 120_000, { name: 'Cede & Co.', nominee: true }),
    ],
    // 20 May 2002, 10:00 in Los Angeles: the solicitation is under way.
    asOf: '2002-05-20T17:00:00.000Z',
    env: { MEETING_JSON },
  });
});

afterAll(() => stack?.stop());

async function cli(role: OperatorRole, args: string[]) {
  let out = '';
  let err = '';
  const code = await stack.operators.asProfile(role, stack.api.url, () =>
    main(args, { out: (s) => (out += s), err: (s) => (err += s) }),
  );
  return { code, out, err };
}

const card = (account: string, signedBy: string, votes: string, more: string[] = []) => [
  'enter',
  'paper-proxy',
  '--account',
  account,
  '--dated',
  '2002-05-15',
  '--signed-by',
  signedBy,
  '--votes',
  votes,
  ...more,
];

describe('paper cards through the CLI', () => {
  it("a dissident's card with --party and --agent: recorded, echoing the holder's name and shares", async () => {
    const res = await cli(
      'clerk',
      card('C-1', 'Ruth Park', '{"2":"AGAINST"}', [
        '--party',
        'committee',
        '--agent',
        'Acme Proxy Solicitors',
      ]),
    );
    expect(res.code, res.err).toBe(0);
    expect(res.out).toContain('recorded: paper proxy for account C-1');
    expect(res.out).toMatch(/holder\s+Ruth Park and Ann Park, 100,000 shares/);
    expect(res.out).toMatch(/card of\s+committee, delivered by Acme Proxy Solicitors/);
    expect(res.out).toContain(`entered by     ${stack.operators.keys.clerk.userArn}`);
    expect(res.err).toBe('');
  });

  it('--json prints the answer with the holder, the party and the agent, newline-terminated', async () => {
    const res = await cli('clerk', [
      ...card('C-2', 'Oscar Lind', '{}', ['--party', 'board', '--entry-key', 'cli-test-0002']),
      '--json',
    ]);
    expect(res.code, res.err).toBe(0);
    expect(res.out.endsWith('}\n')).toBe(true);
    expect(JSON.parse(res.out)).toMatchObject({
      kind: 'paper-proxy',
      account: 'C-2',
      party: 'board',
      holder: { name: 'Oscar Lind', shares: 20_000 },
      enteredBy: stack.operators.keys.clerk.userArn,
      replayed: false,
    });
    // The same entry key again: answered with the first entry, said so.
    const again = await cli(
      'clerk',
      card('C-2', 'Oscar Lind', '{}', ['--party', 'board', '--entry-key', 'cli-test-0002']),
    );
    expect(again.out).toContain('already recorded');
    expect(again.out).toMatch(/holder\s+Oscar Lind, 20,000 shares/);
  });

  it("a misspelt vote is refused in the domain's words, listing the choices; nothing recorded", async () => {
    const res = await cli('clerk', card('C-2', 'Oscar Lind', '{"2":"AGAINS"}'));
    expect(res.code).toBe(1);
    expect(res.out).toBe('');
    expect(res.err).toContain(
      'proxyvote enter paper-proxy: refused (400): The request has fields that are missing or wrong.',
    );
    expect(res.err).toContain(
      'votes.2: "AGAINS" is not a vote on a matter: one of "FOR", "AGAINST", "ABSTAIN"',
    );
    expect(res.err).toContain('nothing was recorded');
    expect(res.err).not.toMatch(STACK_FRAME);
  });

  it('a party the meeting file does not name is refused', async () => {
    const res = await cli('clerk', card('C-2', 'Oscar Lind', '{}', ['--party', 'raiders']));
    expect(res.code).toBe(1);
    expect(res.err).toContain('refused (400)');
    expect(res.err).toContain('raiders');
    expect(res.err).not.toMatch(STACK_FRAME);
  });

  it('the API itself says what a missing signer is', async () => {
    const res = await stack.operators.fetch(stack.api.url, 'clerk', 'POST', '/admin/entries', {
      kind: 'revocation',
      account: 'C-1',
      entryKey: 'cli-test-0003',
      dated: '2002-05-16',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { fields: unknown } }).error.fields).toEqual([
      { path: 'signedBy', message: 'is required: the name signed on the paper' },
    ]);
  });

  it('the wrong role is refused with the reason, not a stack', async () => {
    const res = await cli('inspector', card('C-2', 'Oscar Lind', '{}'));
    expect(res.code).toBe(1);
    expect(res.err).toContain('refused (403)');
    expect(res.err).toContain('[wrong_role]');
  });
});

describe('export and count', () => {
  it('export without --out writes outside the repository, with progress on stderr, and keeps the party', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxyvote-cli-out-'));
    const saved = process.env.PROXYVOTE_OUTPUT_DIR;
    process.env.PROXYVOTE_OUTPUT_DIR = dir;
    try {
      const res = await cli('inspector', ['export', '--json']);
      expect(res.code, res.err).toBe(0);
      expect(res.err).toMatch(/^exporting \(holders \+ instructions read\): 0\n/);
      const written = JSON.parse(res.out) as { dir: string; holders: number; instructions: number };
      expect(written).toMatchObject({ holders: 3, instructions: 2 });
      expect(readdirSync(dir)).toEqual([written.dir.slice(dir.length + 1)]);
      const lines = readFileSync(join(written.dir, 'instructions.jsonl'), 'utf8').trim().split('\n');
      const committee = lines.map((l) => JSON.parse(l)).find((i) => i.account === 'C-1');
      expect(committee).toMatchObject({ party: 'committee', agent: 'Acme Proxy Solicitors' });
    } finally {
      if (saved === undefined) delete process.env.PROXYVOTE_OUTPUT_DIR;
      else process.env.PROXYVOTE_OUTPUT_DIR = saved;
    }
  });

  it('tabulate run says it is counting on stderr and records the signing inspector', async () => {
    const res = await cli('inspector', ['tabulate', 'run']);
    expect(res.code, res.err).toBe(0);
    expect(res.err).toBe('counting the meeting...\n');
    expect(res.out).toContain(`asked for by   ${stack.operators.keys.inspector.userArn}`);
    const listed = await cli('inspector', ['tabulate', 'list']);
    expect(listed.out).toContain(`by ${stack.operators.keys.inspector.userArn}`);
  });
});
