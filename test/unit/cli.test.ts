// The CLI as an operator meets it: --help for every command, one friendly message per failure (no
// stack frames), --json with a trailing newline, progress on stderr, files for people outside the
// repository, validation messages in the domain's words. Some run `proxyvote` as a process, as a
// terminal would; the rest call main() in-process.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatReceipt } from '../../cli/enter.ts';
import { defaultOutputPath, insideRepository, type Out, progress } from '../../cli/io.ts';
import { COMMANDS, main } from '../../cli/proxyvote.ts';
import { votesSchema } from '../../shared/domain/instruction.ts';
import { entrySchema } from '../../shared/voting/admin-api.ts';

const root = new URL('../../', import.meta.url).pathname;
const MEETING = join(root, 'meetings/hemacare-2002.json');
/** A stack frame as Node prints one. */
const STACK_FRAME = /^\s+at /m;

async function run(argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

/** `proxyvote ...` as a process, with a clean AWS environment (no warning switch, no credentials). */
function spawnCli(args: string[], env: Record<string, string> = {}) {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('AWS_') && !k.startsWith('PROXYVOTE_')) clean[k] = v;
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'bin/proxyvote.js'), ...args],
      { cwd: root, env: { ...clean, AWS_EC2_METADATA_DISABLED: 'true', ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A port with nothing listening on it (bound, read, released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('proxyvote --help', () => {
  it('every registered command answers --help with its usage and exits 0', async () => {
    expect(COMMANDS.length).toBeGreaterThanOrEqual(16);
    for (const c of COMMANDS) {
      const res = await run([...c.name.split(' '), '--help']);
      expect(res.code, c.name).toBe(0);
      expect(res.out, c.name).toContain(`usage: proxyvote ${c.name} `);
      expect(res.out, c.name).toContain(c.summary);
      expect(res.err, c.name).toBe('');
      // `help <command>` says the same.
      expect((await run(['help', ...c.name.split(' ')])).out).toBe(res.out);
    }
  });

  it('`proxyvote recount --help` as a process: the usage, exit 0, no SDK notice', async () => {
    const res = await spawnCli(['recount', '--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^usage: proxyvote recount --meeting FILE --register FILE\.csv/);
    expect(res.stderr).toBe('');
  });

  it('a group alone lists its commands; a wrong one names the group and exits 2', async () => {
    const group = await run(['tabulate', '--help']);
    expect(group.code).toBe(0);
    expect(group.out).toContain('tabulate run');
    expect(group.out).toContain('tabulate show');
    const wrong = await run(['tabulate', 'runn']);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('no command "runn"');
    expect(wrong.err).toContain('tabulate list');
    const unknown = await run(['tabulte']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('proxyvote --help lists them');
  });

  it('the overview names every command with its role', async () => {
    const res = await run(['--help']);
    expect(res.code).toBe(0);
    for (const c of COMMANDS) expect(res.out).toContain(c.name);
    expect(res.out).toMatch(/enter paper-proxy\s+.*\(clerk\)/);
    expect(res.out).toMatch(/polls close\s+.*\(supervisor\)/);
  });
});

describe('one friendly error per failure', () => {
  it('a missing option: named, with where to read more, exit 1, no stack', async () => {
    const res = await run(['recount', '--meeting', MEETING]);
    expect(res.code).toBe(1);
    expect(res.err).toBe(
      'proxyvote recount: --register, --instructions are required\n(see `proxyvote recount --help`)\n',
    );
  });

  it('an unknown option says so without parseArgs’ advice on positionals', async () => {
    const res = await run(['tabulate', 'list', '--limt', '3']);
    expect(res.code).toBe(1);
    expect(res.err).toContain("Unknown option '--limt'");
    expect(res.err).not.toContain('positional');
  });

  it('an unreachable admin API, as a process: what failed and what to check, no stack trace', async () => {
    const port = await closedPort();
    const res = await spawnCli(['conflicts'], {
      PROXYVOTE_API: `http://127.0.0.1:${port}`,
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
    });
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe(
      `proxyvote conflicts: cannot reach the admin API at http://127.0.0.1:${port} (ECONNREFUSED): ` +
        'is `npm start` running (locally), and is --api (or PROXYVOTE_API) right?\n',
    );
  });

  it('no Region and no local endpoint: says which to set, no stack, no SDK notice', async () => {
    const res = await spawnCli(['notices', 'status', '--meeting', MEETING], {
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('proxyvote notices status: no AWS Region is set: set AWS_REGION');
    expect(res.stderr).not.toMatch(STACK_FRAME);
    expect(res.stderr).not.toContain('NodeVersionSupportWarning');
  });

  it('an unreachable DynamoDB names the address and the flags to check', async () => {
    const port = await closedPort();
    const res = await run([
      'notices',
      'status',
      '--meeting',
      MEETING,
      '--dynamo',
      `http://127.0.0.1:${port}`,
    ]);
    expect(res.code).toBe(1);
    expect(res.err).toContain(`cannot reach 127.0.0.1:${port} (connection refused)`);
    expect(res.err).toContain('--dynamo');
    expect(res.err).not.toMatch(STACK_FRAME);
  });

  it('an unreadable file is named with the reason', async () => {
    const res = await run([
      'recount',
      '--meeting',
      '/nonexistent/meeting.json',
      '--register',
      'x',
      '--instructions',
      'y',
    ]);
    expect(res.code).toBe(1);
    expect(res.err).toContain('cannot read /nonexistent/meeting.json: no such file');
  });

  it('an entry missing what its kind needs is refused before anything is sent', async () => {
    const res = await run(['enter', 'revocation', '--account', 'R-1', '--api', 'http://127.0.0.1:1']);
    expect(res.code).toBe(1);
    expect(res.err).toContain('--dated, --signed-by are needed for a written revocation');
    const agent = await run(['enter', 'paper-proxy', '--agent', 'Acme', '--api', 'http://127.0.0.1:1']);
    expect(agent.err).toContain('--agent goes with --party');
    const foreign = await run(['enter', 'revocation', '--votes', '{}', '--api', 'http://127.0.0.1:1']);
    expect(foreign.err).toContain('--votes does not belong to a written revocation');
  });
});

describe('--json', () => {
  it('prints one JSON value with a trailing newline', async () => {
    const res = await run([
      'recount',
      '--meeting',
      MEETING,
      '--register',
      join(root, 'examples/hemacare-2002/register.csv'),
      '--instructions',
      join(root, 'examples/hemacare-2002/instructions.jsonl'),
      '--json',
    ]);
    expect(res.code).toBe(0);
    expect(res.out.endsWith('}\n')).toBe(true);
    expect(JSON.parse(res.out).sharesPresent).toBe(6_985_000);
  });
});

describe('the entry receipt', () => {
  const receipt = {
    kind: 'paper-proxy',
    account: 'R-1001',
    enteredBy: 'arn:aws:sts::111122223333:assumed-role/proxyvote-clerk/lee',
    instructionId: 'op-1',
    receiptCode: 'ABCD-EFGH',
    effective: true,
    replayed: false,
    receivedAt: '2002-05-20T17:00:00.000Z',
    holder: { name: 'Ruth Park', jointNames: ['Ann Park'], shares: 100_000 },
    party: 'committee',
    agent: 'Acme Proxy Solicitors',
    conflict: null,
  };

  it("echoes the holder's name, joint holders and shares, and the card's party and agent", () => {
    const text = formatReceipt(receipt);
    expect(text).toContain('recorded: paper proxy for account R-1001');
    expect(text).toMatch(/holder\s+Ruth Park and Ann Park, 100,000 shares/);
    expect(text).toMatch(/card of\s+committee, delivered by Acme Proxy Solicitors/);
    expect(text).toMatch(/entered by\s+arn:aws:sts::111122223333:assumed-role\/proxyvote-clerk\/lee/);
    expect(text).toMatch(/effective\s+yes/);
  });

  it('says when the entry leaves a conflict for the inspector', () => {
    const text = formatReceipt({
      ...receipt,
      effective: false,
      conflict: {
        instruments: [
          { id: 'op-1', dated: '2002-06-01', signedBy: 'Ruth Park' },
          { id: 'op-2', dated: '2002-06-01', signedBy: 'Ruth Park' },
        ],
        proposals: ['2'],
      },
    });
    expect(text).toContain('CONFLICT');
    expect(text).toContain('op-1 (dated 2002-06-01, signed by Ruth Park)');
    expect(text).toContain('left unvoted until the inspector resolves it: 2');
  });
});

describe('validation in the domain’s words', () => {
  const problems = (body: unknown) => {
    const r = entrySchema.safeParse(body);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('a misspelt vote on a matter lists the allowed choices', () => {
    const r = votesSchema.safeParse({ '2': 'AGAINS' });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      '2: "AGAINS" is not a vote on a matter: one of "FOR", "AGAINST", "ABSTAIN" (an election takes {"marks": {"<nominee id>": "FOR" | "WITHHOLD" | "AGAINST"}})',
    ]);
  });

  it('a misspelt mark on a nominee lists the allowed marks, at the nominee', () => {
    const r = votesSchema.safeParse({ '1': { marks: { wallace: 'WITHOLD' } } });
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      '1.marks.wallace: "WITHOLD" is not a mark for a nominee: one of "FOR", "WITHHOLD", "AGAINST"',
    ]);
  });

  it('good votes still parse to the same values', () => {
    expect(
      votesSchema.parse({
        '1': { marks: { wallace: 'WITHHOLD' } },
        '2': 'FOR',
        '3': { FOR: 10, AGAINST: 5 },
      }),
    ).toEqual({ '1': { marks: { wallace: 'WITHHOLD' } }, '2': 'FOR', '3': { FOR: 10, AGAINST: 5 } });
    expect(votesSchema.parse({ '1': { allocation: { a: 3 } } })).toEqual({
      '1': { marks: {}, allocation: { a: 3 } },
    });
  });

  it('a missing signer or date says what is required; a wrong kind lists the kinds', () => {
    expect(problems({ kind: 'revocation', account: 'R-1', entryKey: 'k-00000001', extra: true })).toEqual([
      'dated: is required: the date written on the paper, YYYY-MM-DD',
      'signedBy: is required: the name signed on the paper',
      ': has a field that is not allowed here: "extra"',
    ]);
    expect(problems({ kind: 'fax', account: 'R-1' })).toEqual([
      'kind: must be "paper-proxy", "revocation" or "meeting-ballot"',
    ]);
  });
});

describe('progress and files for people', () => {
  const capture = () => {
    let err = '';
    const io: Out = { out: () => undefined, err: (s) => (err += s) };
    return { io, text: () => err };
  };

  it('off a terminal: a line at the start and at each quarter, on stderr only', () => {
    const c = capture();
    const show = progress(c.io, false);
    for (let i = 0; i <= 1000; i += 50) show('importing', i, 1000);
    show.end();
    expect(c.text().split('\n').filter(Boolean)).toEqual([
      'importing: 0 / 1,000 (0%)',
      'importing: 250 / 1,000 (25%)',
      'importing: 500 / 1,000 (50%)',
      'importing: 750 / 1,000 (75%)',
      'importing: 1,000 / 1,000 (100%)',
    ]);
  });

  it('off a terminal with no known total: a line at each doubling', () => {
    const c = capture();
    const show = progress(c.io, false);
    for (const done of [0, 1, 2, 3, 5, 9, 17]) show('exporting', done);
    expect(c.text()).toBe(
      'exporting: 0\nexporting: 1\nexporting: 2\nexporting: 5\nexporting: 9\nexporting: 17\n',
    );
  });

  it('on a terminal: one line rewritten in place, ended with a newline', () => {
    const c = capture();
    const show = progress(c.io, true);
    show('importing', 1, 2);
    show('importing', 2, 2);
    show.end();
    expect(c.text()).toBe('\rimporting: 1 / 2 (50%)\u001b[K\rimporting: 2 / 2 (100%)\u001b[K\n');
  });

  it('exports and print files default to a folder outside the repository', () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxyvote-out-'));
    const saved = process.env.PROXYVOTE_OUTPUT_DIR;
    process.env.PROXYVOTE_OUTPUT_DIR = join(dir, 'out');
    try {
      const path = defaultOutputPath('print-file-m', '.csv', Date.parse('2002-05-20T17:00:00.123Z'));
      expect(path).toBe(join(dir, 'out', 'print-file-m-20020520T170000Z.csv'));
      expect(readdirSync(dir)).toEqual(['out']);
      expect(insideRepository(path)).toBe(false);
      expect(insideRepository(join(root, 'export'))).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.PROXYVOTE_OUTPUT_DIR;
      else process.env.PROXYVOTE_OUTPUT_DIR = saved;
    }
  });
});
