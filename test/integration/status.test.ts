// The operator's status (GET /admin/status, the status page, `proxyvote status`) and GET /admin/polls,
// against DynamoDB Local: the polls as the table records them, the notices as the register's records
// say, and the figures of the last complete count, which the test reads back from the count itself.

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/proxyvote.ts';
import type { TabulationResult } from '../../shared/domain/tabulate.ts';
import { STATUS_CSS } from '../../shared/status/format.ts';
import type { MeetingStatus, PollsStatus } from '../../shared/status/status.ts';
import { type AdminApi, startAdminApi } from '../support/operators.ts';
import { buildTabulationFixture, type TabulationFixture } from '../support/tabulation-history.ts';

let fx: TabulationFixture;
let admin: AdminApi;

beforeAll(async () => {
  fx = await buildTabulationFixture('statusapi', { retail: 25, seed: 7, closePolls: false });
  admin = await startAdminApi(fx);
}, 180_000);

afterAll(async () => {
  await admin?.close();
  await fx?.stop();
});

const get = async (path: string, role: 'supervisor' | 'inspector' | 'clerk' = 'supervisor') => {
  const res = await admin.operators.fetch(admin.api.url, role, 'GET', path);
  return { status: res.status, headers: res.headers, text: await res.text() } as const;
};
const json = <T>(text: string) => JSON.parse(text) as T;

async function cli(args: string[]) {
  let out = '';
  let err = '';
  const code = await admin.as('supervisor', () =>
    main(args, { out: (s) => (out += s), err: (s) => (err += s) }),
  );
  return { code, out, err };
}

describe('GET /admin/polls', () => {
  it("says the internet cut-off has passed and the polls are open on paper, on the meeting's clock", async () => {
    const res = await get('/admin/polls');
    expect(res.status).toBe(200);
    expect(json<PollsStatus>(res.text)).toEqual({
      state: 'paper-only',
      internetCutoff: '2002-06-12 20:59:00 PDT',
      msToCutoff: 0,
      meetingStart: '2002-06-13 09:30:00 PDT',
      closedAt: null,
      closedBy: null,
    });
  });

  it("refuses the clerk's and the inspector's keys", async () => {
    expect((await get('/admin/polls', 'clerk')).status).toBe(403);
    expect((await get('/admin/status', 'inspector')).status).toBe(403);
  });
});

describe('GET /admin/status', () => {
  it('has no count before the first one, and the notices of the register', async () => {
    const s = json<MeetingStatus>((await get('/admin/status')).text);
    expect(s.count).toBeNull();
    expect(s.meeting.id).toBe('hemacare-2002');
    expect(s.notices.holders).toBe(fx.holders.length);
    expect(s.notices.byEmail + s.notices.byPaper).toBe(fx.holders.length);
    // The fixture never sends the notices: none sent, every e-mail one not yet.
    expect(s.notices.sent).toBe(0);
    expect(s.notices.notYet).toBe(s.notices.byEmail);
  });

  it('gives the figures of the last complete count, and who closed the polls', async () => {
    const counted = await admin.operators.fetch(admin.api.url, 'inspector', 'POST', '/admin/tally', {
      kind: 'on-demand',
    });
    expect(counted.status).toBe(201);
    const { snapshot } = (await counted.json()) as { snapshot: { runId: string } };
    const shown = await admin.operators.fetch(
      admin.api.url,
      'inspector',
      'GET',
      `/admin/tally/${snapshot.runId}`,
    );
    const { result } = (await shown.json()) as { result: TabulationResult };
    const closed = await admin.operators.fetch(admin.api.url, 'supervisor', 'POST', '/admin/polls/close', {});
    expect(closed.status).toBe(200);

    const s = json<MeetingStatus>((await get('/admin/status')).text);
    const received = result.presence?.received;
    expect(s.count).toMatchObject({
      runId: snapshot.runId,
      kind: 'on-demand',
      sharesPresent: result.sharesPresent,
      requiredQuorum: result.requiredQuorum,
      quorumMet: result.quorumMet,
      sharesToQuorum: Math.max(0, result.requiredQuorum - result.sharesPresent),
      openConflicts: result.conflicts.length,
      votesIn: {
        internet: received?.internet.proxies,
        phone: received?.phone.proxies,
        paper: received?.paper.proxies,
        meeting: received?.meeting.ballots,
      },
      revocationsIn: (received?.internet.revocations ?? 0) + (received?.paper.revocations ?? 0),
    });
    expect(s.count?.openConflicts).toBeGreaterThan(0);
    expect(s.polls.state).toBe('closed');
    expect(s.polls.closedBy).toBe(admin.operators.keys.supervisor.userArn);
    expect(s.polls.closedAt).toMatch(/^2002-06-13 \d\d:\d\d:\d\d PDT$/);
  });

  it('serves the status page with a strict CSP, and `proxyvote status` prints the same figures', async () => {
    const page = await get('/admin/status?format=html');
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`'sha256-${createHash('sha256').update(STATUS_CSS).digest('base64')}'`);
    expect(page.text).toContain('<dt>Polls</dt><dd>CLOSED at 2002-06-13');
    expect(page.text).toMatch(/<dt>Open conflicts<\/dt><dd class="attention">Attention: \d+<\/dd>/);
    const s = json<MeetingStatus>((await get('/admin/status')).text);
    const text = await cli(['status']);
    expect(text.code, text.err).toBe(0);
    expect(text.out).toContain(`Last count:             on-demand, finished ${s.count?.finishedAt}`);
    expect(text.out).toContain(`! Open conflicts:         ${s.count?.openConflicts}`);
    const asJson = await cli(['status', '--json']);
    expect(json<MeetingStatus>(asJson.out).count).toEqual(s.count);
  });
});
