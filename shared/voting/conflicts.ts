// The open conflicts of a meeting (RULES.md sections 5 and 7): accounts whose latest instruments are
// paper of one date that differ. Listed for the clerk and the inspector before any count, with what
// they need to resolve each: the holder, the shares, every instrument's date, signer and receipt, and
// the proposals left unvoted until the inspector decides.
import { describeConflict, type OpenConflict } from './operator.ts';
import type { VotingDeps } from './submit.ts';

export interface ListedConflict extends OpenConflict {
  holder: { name: string; jointNames: string[]; shares: number; nominee: boolean };
}

/** Only accounts with paper or a resolution can be in conflict: the store lists those. */
export async function listOpenConflicts(deps: VotingDeps): Promise<ListedConflict[]> {
  const polls = await deps.store.polls();
  const out: ListedConflict[] = [];
  for await (const account of deps.store.accountsWithPaper()) {
    const [holder, stored] = await Promise.all([deps.store.holder(account), deps.store.history(account)]);
    if (!holder) continue;
    const history = stored.map((s) => s.instruction);
    const conflict = describeConflict(deps.meeting, holder, history, polls);
    if (!conflict) continue;
    out.push({
      ...conflict,
      holder: {
        name: holder.name,
        jointNames: holder.jointNames,
        shares: holder.shares,
        nominee: holder.nominee,
      },
    });
  }
  return out.sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
}
