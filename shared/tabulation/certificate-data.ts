// What the inspectors' certificate needs besides the count: who closed the polls (the POLLS item) and
// the registered names of the accounts it names (conflicts, resolutions, rejected instructions).
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CertificateInput, CertificateRun } from '../domain/certificate.ts';
import type { Meeting } from '../domain/meeting.ts';
import type { TabulationResult } from '../domain/tabulate.ts';
import { holderKey } from '../register/holder-item.ts';
import type { TableNames } from '../storage/tables.ts';
import { readPolls } from '../storage/vote-store.ts';
import type { SnapshotHeader } from './snapshots.ts';

/** At most this many accounts are named (a certificate with more lists the rest by account only). */
export const NAMED_ACCOUNTS_LIMIT = 1_000;

/** The accounts a certificate names, once each, in order. */
export function accountsNamed(r: TabulationResult): string[] {
  const all = [
    ...r.conflicts.map((c) => c.account),
    ...(r.resolved ?? []).map((x) => x.account),
    ...r.rejected.map((x) => x.account),
  ];
  return [...new Set(all)].slice(0, NAMED_ACCOUNTS_LIMIT);
}

/** Registered names (joint holders joined with "and") of the accounts, 100 to a BatchGetItem. */
export async function holderNames(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  accounts: readonly string[],
): Promise<Record<string, string>> {
  const names: Record<string, string> = {};
  for (let i = 0; i < accounts.length; i += 100) {
    let keys: Array<Record<string, unknown>> = accounts.slice(i, i + 100).map((a) => holderKey(a));
    for (let attempt = 0; keys.length > 0 && attempt < 8; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
      const out = await doc.send(
        new BatchGetCommand({
          RequestItems: {
            [tables.register]: {
              Keys: keys,
              ProjectionExpression: 'account, #n, jointNames',
              ExpressionAttributeNames: { '#n': 'name' },
            },
          },
        }),
      );
      for (const item of out.Responses?.[tables.register] ?? []) {
        const joint = Array.isArray(item.jointNames) ? item.jointNames.map(String) : [];
        names[String(item.account)] = [String(item.name), ...joint].join(' and ');
      }
      keys = (out.UnprocessedKeys?.[tables.register]?.Keys ?? []) as Array<Record<string, unknown>>;
    }
  }
  return names;
}

/** The certificate of a stored run, with the polls' closing and the names of the holders it names. */
export async function certificateOfRun(
  deps: { meeting: Meeting; doc: DynamoDBDocumentClient; tables: TableNames },
  header: SnapshotHeader,
  result: TabulationResult,
): Promise<CertificateInput> {
  const run: CertificateRun = {
    runId: header.runId,
    kind: header.kind,
    requestedBy: header.requestedBy,
    finishedAt: header.finishedAt,
    historyRoot: header.digest?.root ?? null,
    openConflictsAccepted: header.openConflictsAccepted === true,
  };
  const [polls, names] = await Promise.all([
    readPolls(deps.doc, deps.tables),
    holderNames(deps.doc, deps.tables, accountsNamed(result)),
  ]);
  return {
    meeting: deps.meeting,
    result,
    run,
    polls: polls ? { closedAt: polls.closedAt, closedBy: polls.closedBy } : null,
    holderNames: names,
  };
}
