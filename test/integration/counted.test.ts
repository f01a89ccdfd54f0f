// Counted as cast through the HTTP API (issue "Tabulation", item 6): POST /api/counted with the control
// number and a receipt code, after the final count; the page at GET /counted; the answer by e-mail.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { routes } from '../../functions/routes.ts';
import { newControlNumber } from '../../shared/domain/control-number.ts';
import type { Instruction } from '../../shared/domain/instruction.ts';
import type { TabulationResult } from '../../shared/domain/tabulate.ts';
import { accountChain, type HistoryLeaf } from '../../shared/domain/tamper.ts';
import { type HttpAdapter, startHttpAdapter } from '../../shared/local/http-adapter.ts';
import { answerFor, decisionOf } from '../../shared/tabulation/counted.ts';
import { COUNTED_SCRIPT } from '../../shared/tabulation/counted-page.ts';
import { runTabulation } from '../../shared/tabulation/run.ts';
import type { SnapshotHeader } from '../../shared/tabulation/snapshots.ts';
import { hemacare, internet, revocation } from '../support/builders.ts';
import { jsonOf } from '../support/http.ts';
import { setHandlerEnv } from '../support/local-env.ts';
import {
  buildTabulationFixture,
  type Receipt,
  type TabulationFixture,
} from '../support/tabulation-history.ts';

let fx: TabulationFixture;
let api: HttpAdapter;

beforeAll(async () => {
  fx = await buildTabulationFixture('counted', { retail: 30, seed: 3 });
  setHandlerEnv(fx.names);
  Object.assign(process.env, {
    MEETING_JSON: readFileSync(new URL('../../meetings/hemacare-2002.json', import.meta.url), 'utf8'),
    CONTROL_SECRET: fx.secretHex,
    MAIL_FROM: 'Proxy Services <proxy@example.com>',
    SES_ENDPOINT: inject('sesEndpoint'),
    MAX_CONTROL_FAILURES: '4',
    CLOCK_OFFSET_MS: String(fx.clock.now - Date.now()),
  });
  api = await startHttpAdapter({ routes, port: 0 });
}, 180_000);

afterAll(async () => {
  await api?.close();
  await fx?.stop();
});

const ask = (body: unknown) =>
  fetch(`${api.url}/api/counted`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const receiptsOf = (account: string): Receipt[] => fx.receipts.filter((r) => r.account === account);
const control = (account: string) => fx.controls.get(account) as string;

describe('before the final count', () => {
  it('answers 409: the final count has not been made', async () => {
    const [first] = receiptsOf('R-0008');
    const res = await ask({ controlNumber: control('R-0008'), receiptCode: first?.receiptCode });
    expect(res.status).toBe(409);
    expect((await jsonOf(res)).error).toMatchObject({ code: 'final_count_not_made' });
  });
});

describe('after the final count', () => {
  let conflicts: TabulationResult['conflicts'] = [];
  beforeAll(async () => {
    const final = await runTabulation(fx.tabulation, {
      kind: 'final',
      requestedBy: 'test',
      acceptOpenConflicts: true,
    });
    if (final.outcome !== 'complete') throw new Error(final.outcome);
    conflicts = final.result.conflicts;
  });

  it('says that the latest instruction, a ballot cast at the meeting, is the one counted', async () => {
    const ballot = receiptsOf('R-0008').find((r) => r.kind === 'meeting-ballot') as Receipt;
    const res = await ask({
      controlNumber: control('R-0008'),
      receiptCode: ballot.receiptCode.toLowerCase(),
    });
    expect(res.status).toBe(200);
    const body = await jsonOf(res);
    expect(body).toMatchObject({
      status: 'counted',
      instruction: { kind: 'meeting-ballot', channel: 'meeting', votes: { '2': 'AGAINST' } },
      countedInstead: null,
      historyUnchanged: true,
      evidence: { count: receiptsOf('R-0008').length, head: expect.stringMatching(/^[0-9a-f]{64}$/) },
      finalCount: { runId: expect.any(String), historyRoot: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect(body.message).toBe(
      'This instruction is the one that was counted for your shares in the final count.',
    );
  });

  it('says that an earlier internet proxy was superseded, and by what', async () => {
    const first = receiptsOf('R-0008').find((r) => r.kind === 'proxy') as Receipt;
    const body = await jsonOf(
      await ask({ controlNumber: control('R-0008'), receiptCode: first.receiptCode }),
    );
    expect(body).toMatchObject({
      status: 'superseded',
      instruction: { kind: 'proxy', channel: 'internet' },
      countedInstead: { kind: 'meeting-ballot', channel: 'meeting' },
    });
    expect(body.message).toMatch(
      /replaced by a later one, which was counted instead: a ballot cast at the meeting/,
    );
  });

  it('says that a card in an open same-date conflict left the differing proposals unvoted', async () => {
    expect(conflicts.length).toBeGreaterThan(0);
    for (const c of conflicts) {
      const card = fx.receipts.find((r) => r.instructionId === c.instruments[0]) as Receipt;
      const body = await jsonOf(
        await ask({ controlNumber: control(c.account), receiptCode: card.receiptCode }),
      );
      expect(body).toMatchObject({ status: 'in-conflict', unvoted: c.proposals });
      expect(body.unvoted.length).toBeGreaterThan(0);
      expect(body.message).toContain(
        'the inspector of elections had not resolved the conflict at the final count',
      );
    }
  });

  it('refuses a receipt code of another account (404, naming receiptCode), and a malformed one (400)', async () => {
    const other = receiptsOf('R-0005')[0] as Receipt;
    const res = await ask({ controlNumber: control('R-0008'), receiptCode: other.receiptCode });
    expect(res.status).toBe(404);
    expect((await jsonOf(res)).error).toMatchObject({
      code: 'receipt_not_found',
      fields: [{ path: 'receiptCode', message: expect.any(String) }],
    });
    const bad = await ask({ controlNumber: control('R-0008'), receiptCode: 'ABC' });
    expect(bad.status).toBe(400);
    expect((await jsonOf(bad)).error.fields[0].path).toBe('receiptCode');
  });

  it('sends the answer by e-mail to the address on file when asked', async () => {
    const since = Date.now();
    const ballot = receiptsOf('R-0008').find((r) => r.kind === 'meeting-ballot') as Receipt;
    const body = await jsonOf(
      await ask({ controlNumber: control('R-0008'), receiptCode: ballot.receiptCode, email: true }),
    );
    expect(body.email).toEqual({ sent: true });
    const store = (await jsonOf(
      await fetch(`${inject('sesEndpoint')}/store?since=${Math.floor(since / 1000)}`),
    )) as {
      emails: Array<{ destination: { to: string[] }; subject: string; body: { text: string } }>;
    };
    const mine = store.emails.filter((m) => m.destination.to.includes('r-0008@example.com'));
    expect(mine.at(-1)?.subject).toBe(`HemaCare Corporation: receipt ${ballot.receiptCode}, counted`);
    expect(mine.at(-1)?.body.text).toContain('This instruction is the one that was counted');

    const silent = fx.holders.find((h) => h.email === null && receiptsOf(h.account).length > 0);
    if (!silent) throw new Error('every account that voted has an address: pick another seed');
    const none = await jsonOf(
      await ask({
        controlNumber: control(silent.account),
        receiptCode: receiptsOf(silent.account)[0]?.receiptCode,
        email: true,
      }),
    );
    expect(none.email).toMatchObject({ sent: false, reason: expect.stringContaining('no e-mail address') });
  });

  it('answers a wrong control number exactly as the ballot API does, then 429', async () => {
    const unknown = newControlNumber(randomBytes);
    const receipt = (receiptsOf('R-0008')[0] as Receipt).receiptCode;
    const counted = await ask({ controlNumber: unknown, receiptCode: receipt });
    const ballot = await fetch(`${api.url}/api/ballot`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ controlNumber: unknown }),
    });
    expect(counted.status).toBe(401);
    expect(ballot.status).toBe(401);
    expect((await jsonOf(counted)).error).toEqual((await jsonOf(ballot)).error);
    const typo = await ask({ controlNumber: '1234567812345678', receiptCode: receipt });
    expect([400, 401]).toContain(typo.status);
    let last = 0;
    for (let i = 0; i < 4; i++)
      last = (await ask({ controlNumber: newControlNumber(randomBytes), receiptCode: receipt })).status;
    expect(last).toBe(429);
    // Even the right number is refused from this address now: no oracle while limited.
    expect((await ask({ controlNumber: control('R-0008'), receiptCode: receipt })).status).toBe(429);
  });
});

describe('the page', () => {
  it('GET /counted serves the form with a strict CSP that allows exactly its script', async () => {
    const res = await fetch(`${api.url}/counted`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<label for="receiptCode">Receipt code</label>');
    expect(page).toContain('check that your vote was counted');
    const csp = res.headers.get('content-security-policy') ?? '';
    const { createHash } = await import('node:crypto');
    expect(csp).toContain(`'sha256-${createHash('sha256').update(COUNTED_SCRIPT).digest('base64')}'`);
    expect(csp).not.toContain('unsafe-inline');
  });
});

describe('the answer, worked out from the history and the final leaf', () => {
  const meeting = hemacare();
  const final = {
    runId: '20020613T174800000Z-0a1b2c3d',
    startedAt: '2002-06-13T17:48:00.000Z',
    finishedAt: '2002-06-13T17:48:01.000Z',
    cumulative: false,
    digest: { root: 'f'.repeat(64) },
    inputDigest: 'e'.repeat(64),
  } as SnapshotHeader;
  const h = { account: 'A-1', shares: 100, nominee: false };
  const proxy = internet('A-1', '2002-05-10T17:00:00.000Z', { '2': 'FOR' }, 'p-1');
  const written = revocation('A-1', '2002-05-20', '2002-05-22T17:00:00.000Z', 'r-1');
  const both = [proxy, written];
  const leaf = accountChain('A-1', both);
  const answer = (history: Instruction[], mine: Instruction, l: HistoryLeaf) =>
    answerFor(final, history, mine, l, decisionOf(meeting, final, h, history, l), null, null);

  it('a revocation in effect, and a proxy it revoked', () => {
    expect(answer(both, written, leaf)).toMatchObject({
      status: 'revocation-in-effect',
      historyUnchanged: true,
      evidence: { count: 2, head: leaf.head },
    });
    expect(answer(both, proxy, leaf)).toMatchObject({
      status: 'revoked',
      countedInstead: { kind: 'revocation', channel: 'paper', dated: '2002-05-20' },
    });
  });

  it('warns when the history is no longer the one the final count read', () => {
    const a = answer([proxy], proxy, leaf);
    expect(a).toMatchObject({ status: 'counted', historyUnchanged: false });
    expect(a.message).toContain('does not match the one the final count read');
  });

  it('answers from the final count as it was made, not from the history as it is later', () => {
    // The final count recorded the proxy as counted. An instruction written into the record later
    // (by whatever means) changes neither that answer nor what the later one is told.
    const counted = { ...accountChain('A-1', [proxy]), decided: 'voting:p-1' };
    // Written in later with a receipt time before the cut-off, as if it had been there.
    const inserted = internet('A-1', '2002-06-12T18:00:00.000Z', { '2': 'AGAINST' }, 'p-inserted');
    const now = [proxy, inserted];
    expect(answer(now, proxy, counted)).toMatchObject({ status: 'counted', historyUnchanged: false });
    expect(answer(now, inserted, counted)).toMatchObject({
      status: 'superseded',
      historyUnchanged: false,
    });
    // Without the recorded decision the domain's rule over today's history would say "superseded".
    const undecided = { ...counted, decided: undefined };
    expect(answer(now, proxy, undecided).status).toBe('superseded');
    // Received after the final count started: never part of it.
    const late = internet('A-1', '2002-06-13T18:00:00.000Z', { '2': 'AGAINST' }, 'p-late');
    expect(answer([proxy, late], late, counted)).toMatchObject({ status: 'not-in-final-count' });
  });

  it('a rejected instruction is told so, with the rule it broke', () => {
    const late = internet('A-1', '2002-06-13T05:00:00.000Z', { '2': 'AGAINST' }, 'p-after-cutoff');
    const history = [proxy, late];
    const l = { ...accountChain('A-1', history), decided: 'voting:p-1|rejected:p-after-cutoff' };
    const a = answerFor(final, history, late, l, decisionOf(meeting, final, h, history, l), null, {
      account: 'A-1',
      id: 'p-after-cutoff',
      kind: 'proxy',
      channel: 'internet',
      receivedAt: late.receivedAt,
      rule: 'after-internet-cutoff',
      reason: 'received after the internet cut-off, 2002-06-12 20:59:00 PDT',
    });
    expect(a.status).toBe('rejected');
    expect(a.message).toBe(
      'This instruction was not counted: it was received after the internet cut-off, 2002-06-12 20:59:00 PDT.',
    );
  });
});
