// The inspector's recount from an export: `proxyvote recount` on the shipped example, figures by hand.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/proxyvote.ts';
import type { TabulationResult } from '../../shared/domain/tabulate.ts';

const root = new URL('../../', import.meta.url).pathname;
const args = [
  'recount',
  '--meeting',
  join(root, 'meetings/hemacare-2002.json'),
  '--register',
  join(root, 'examples/hemacare-2002/register.csv'),
  '--instructions',
  join(root, 'examples/hemacare-2002/instructions.jsonl'),
];

async function run(argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('proxyvote recount', () => {
  it('counts the example history exactly (hand-computed in docs/counting.md)', async () => {
    const { code, out } = await run([...args, '--json']);
    expect(code).toBe(0);
    const r = JSON.parse(out) as TabulationResult;
    // Present: 6,200,000 + 20,000 + 15,000 + 250,000 + 400,000 + 100,000 (in conflict, still present).
    expect(r.sharesPresent).toBe(6_985_000);
    expect(r.requiredQuorum).toBe(3_797_588);
    expect(r.accounts).toEqual({ total: 8, present: 6, revoked: 1, conflicted: 1, withoutInstruction: 1 });
    const [election, other] = r.proposals;
    if (election?.kind !== 'election' || other?.kind !== 'matter') throw new Error('unexpected proposals');
    const byId = Object.fromEntries(election.nominees.map((n) => [n.id, [n.for, n.withhold]]));
    // Darlington: 3,900,000 (Cede) + 20,000 + 15,000 + 250,000 + 400,000 + 100,000 = 4,685,000.
    expect(byId.darlington).toEqual([4_685_000, 100_000]);
    // Wallace: 3,800,000 + 20,000 + 15,000 + 250,000 + 100,000 = 4,185,000; withheld 200,000 + 400,000.
    expect(byId.wallace).toEqual([4_185_000, 600_000]);
    expect(election.outcome).toMatchObject({ status: 'decided', tied: [] });
    // Other business: 3,500,000 + 20,000 + 15,000 + 250,000 + 400,000 = 4,185,000 FOR; Ruth Park's conflict unvoted.
    expect(other).toMatchObject({ for: 4_185_000, against: 300_000, abstain: 200_000, outcome: 'approved' });
    expect(other.threshold.forAtLeast).toBe(1_898_795);
    expect(r.conflicts).toEqual([
      { account: 'R-1003', shares: 100_000, instruments: ['ex-07', 'ex-08'], proposals: ['2'] },
    ]);
    expect(r.inputDigest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('prints a readable report by default', async () => {
    const { code, out } = await run(args);
    expect(code).toBe(0);
    expect(out).toContain('Required quorum (Q):                         3,797,588');
    expect(out).toContain('Quorum:                                      MET');
    expect(out).toMatch(/Stephen P\. Wallace\s+4,185,000\s+600,000\s+0\s+ELECTED/);
    expect(out).toContain('account R-1003 (100,000 shares): instruments ex-07, ex-08; unvoted on 2');
  });

  it('names the line and field of a bad instruction file, and counts nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recount-'));
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(
      bad,
      '{"id":"x","account":"R-0001","kind":"proxy","channel":"fax","receivedAt":"2002-06-01T00:00:00Z","signedBy":"a","votes":{}}\nnot json\n',
    );
    const { code, out, err } = await run([...args.slice(0, 5), '--instructions', bad]);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(/line 1, channel:/);
    expect(err).toMatch(/line 2: not valid JSON/);
  });

  it('runs as `npx proxyvote`', async () => {
    const { stdout } = await promisify(execFile)('npx', ['--no-install', 'proxyvote', ...args, '--json'], {
      cwd: root,
    });
    expect((JSON.parse(stdout) as TabulationResult).sharesPresent).toBe(6_985_000);
  });
});
