// `recount --verify` names each difference between the live count and the recount by proposal,
// nominee, account and instruction, in the inspector's words (shared/tabulation/snapshot-file.ts).
import { describe, expect, it } from 'vitest';
import type { ElectionResult, MatterResult, TabulationResult } from '../../shared/domain/tabulate.ts';
import { diffResults } from '../../shared/tabulation/snapshot-file.ts';
import { smallResult } from '../support/certificate-meeting.ts';

const copy = (): TabulationResult => structuredClone(smallResult);

describe('diffResults', () => {
  it('finds nothing between a result and itself', () => {
    expect(diffResults(smallResult, copy())).toEqual([]);
  });

  it('names a matter by its number and title, and a nominee by name, never by array position', () => {
    const recount = copy();
    (recount.proposals[1] as MatterResult).for = 3_996;
    const election = recount.proposals[0] as ElectionResult;
    (election.nominees[2] as { withhold: number }).withhold = 12;
    recount.sharesPresent = 9_496;
    const lines = diffResults(smallResult, recount);
    expect(lines).toContain('Proposal 2 (Ratify the auditors): FOR differs: live 4,000 / recount 3,996');
    expect(lines).toContain(
      'Proposal 1 (Election of two directors): nominee Zed Other: WITHHOLD differs: live 0 / recount 12',
    );
    expect(lines).toContain('shares present differs: live 9,500 / recount 9,496');
    expect(lines.join('\n')).not.toMatch(/proposals\.\d|nominees\.\d|\.for\b/);
  });

  it("reads an election's outcome whole, and names conflicts and rejected instructions by account and id", () => {
    const recount = copy();
    const election = recount.proposals[0] as ElectionResult;
    election.outcome = { status: 'decided', elected: ['x'], tied: [], tiedSeats: 0 };
    recount.conflicts = [];
    recount.rejected = [];
    const lines = diffResults(smallResult, recount);
    expect(lines).toContain(
      'Proposal 1 (Election of two directors): outcome differs: live {"status":"decided","elected":["x","y"],"tied":[],"tiedSeats":0} / recount {"status":"decided","elected":["x"],"tied":[],"tiedSeats":0}',
    );
    expect(lines).toContain('Open conflict: account C-3: only in the live count');
    expect(lines).toContain('Rejected: instruction e-late of account E-5: only in the live count');
  });
});
