// The count's admin API through the local HTTP adapter: POST /admin/tally (inline locally), the runs'
// list, one run as JSON, the inspector's report as HTML and CSV, the digest's leaves.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { routes } from '../../functions/routes.ts';
import { CERTIFICATE_CSS } from '../../shared/domain/certificate.ts';
import type { OperatorRole } from '../../shared/http/operators.ts';
import { type HttpAdapter, startHttpAdapter } from '../../shared/local/http-adapter.ts';
import { jsonOf } from '../support/http.ts';
import { setHandlerEnv } from '../support/local-env.ts';
import { localOperators } from '../support/operators.ts';
import { buildTabulationFixture, type TabulationFixture } from '../support/tabulation-history.ts';

let fx: TabulationFixture;
let api: HttpAdapter;
const operators = localOperators();

beforeAll(async () => {
  fx = await buildTabulationFixture('tallyapi', { retail: 25, seed: 5, closePolls: false });
  setHandlerEnv(fx.names);
  Object.assign(process.env, {
    MEETING_JSON: readFileSync(new URL('../../meetings/hemacare-2002.json', import.meta.url), 'utf8'),
    CONTROL_SECRET: fx.secretHex,
    MAIL_FROM: 'Proxy Services <proxy@example.com>',
    SES_ENDPOINT: inject('sesEndpoint'),
    TABULATION_SEGMENTS: '3',
    CLOCK_OFFSET_MS: String(fx.clock.now - Date.now()),
  });
  api = await startHttpAdapter({ routes, port: 0, adminKeys: operators.all });
}, 180_000);

afterAll(async () => {
  await api?.close();
  await fx?.stop();
});

/** A signed admin request, by default as the inspector. */
const admin = (method: 'GET' | 'POST', path: string, body?: unknown, role: OperatorRole = 'inspector') =>
  operators.fetch(api.url, role, method, path, body);

describe('POST /admin/tally', () => {
  it("refuses the clerk's and the supervisor's keys, and an unsigned request", async () => {
    expect((await admin('POST', '/admin/tally', { kind: 'on-demand' }, 'clerk')).status).toBe(403);
    expect((await admin('GET', '/admin/tally', undefined, 'supervisor')).status).toBe(403);
    expect((await fetch(`${api.url}/admin/tally`)).status).toBe(401);
  });

  it('names a bad field', async () => {
    const res = await admin('POST', '/admin/tally', { kind: 'monthly' });
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).error.fields[0].path).toBe('kind');
  });

  it('refuses the final count while the polls are open (409)', async () => {
    const res = await admin('POST', '/admin/tally', { kind: 'final', acceptOpenConflicts: true });
    expect(res.status).toBe(409);
    expect((await jsonOf(res)).error.code).toBe('polls_open');
  });

  it('counts on demand and answers with the stored snapshot', async () => {
    const res = await admin('POST', '/admin/tally', { kind: 'on-demand' });
    expect(res.status).toBe(201);
    const { snapshot } = await jsonOf(res);
    expect(snapshot).toMatchObject({
      kind: 'on-demand',
      status: 'complete',
      requestedBy: operators.keys.inspector.userArn,
      segments: 3,
      digest: { asOf: expect.any(String) },
    });
  });

  it('makes the final count once the polls are closed, and only once', async () => {
    const close = await admin('POST', '/admin/polls/close', {}, 'supervisor');
    expect(close.status).toBe(200);
    const first = await admin('POST', '/admin/tally', { kind: 'final', acceptOpenConflicts: true });
    expect(first.status).toBe(201);
    const runId = (await jsonOf(first)).snapshot.runId;
    const again = await admin('POST', '/admin/tally', { kind: 'final', acceptOpenConflicts: true });
    expect(again.status).toBe(200);
    expect(await jsonOf(again)).toMatchObject({ outcome: 'already-final', snapshot: { runId } });
  });
});

describe('GET /admin/tally and /admin/tally/{run}', () => {
  it('lists the runs newest first, a page at a time', async () => {
    const all = await jsonOf(await admin('GET', '/admin/tally'));
    expect(all.runs.map((r: { kind: string }) => r.kind)).toEqual(['final', 'on-demand']);
    const page = await jsonOf(await admin('GET', '/admin/tally?limit=1'));
    expect(page.runs).toHaveLength(1);
    const next = await jsonOf(await admin('GET', `/admin/tally?limit=1&cursor=${page.next}`));
    expect(next.runs[0].runId).toBe(all.runs[1].runId);
    expect((await admin('GET', '/admin/tally?limit=0')).status).toBe(400);
  });

  it('gives the final count with its result', async () => {
    const body = await jsonOf(await admin('GET', '/admin/tally/final'));
    expect(body.snapshot).toMatchObject({ kind: 'final', digest: { asOf: null } });
    expect(body.result).toMatchObject({ meeting: 'hemacare-2002', inputDigest: body.snapshot.inputDigest });
    expect((await admin('GET', '/admin/tally/nonsense')).status).toBe(404);
  });

  it("gives the inspector's report as a printable HTML page with a strict CSP", async () => {
    const res = await admin('GET', '/admin/tally/final?format=html');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`'sha256-${createHash('sha256').update(CERTIFICATE_CSS).digest('base64')}'`);
    expect(csp).toContain("default-src 'none'");
    const page = await res.text();
    expect(page).toContain('Certificate of the inspectors of election');
    expect(page).toContain('<p class="status">FINAL</p>');
    expect(page).toContain('Stephen P. Wallace');
    // Who closed the polls (the POLLS item), on the meeting's clock.
    expect(page).toMatch(/<dt>Polls closed<\/dt><dd>2002-06-13 \d\d:\d\d:\d\d PDT, declared by [^<]+<\/dd>/);
    // The open conflict and the resolved one, with the registered holder's name (from the register).
    expect(page).toMatch(
      /<th scope="row">R-0005<\/th><td data-label="Holder">Holder R-0005( and [^<]+)?<\/td>/,
    );
    expect(page).toMatch(
      /<th scope="row">R-0007<\/th><td data-label="Holder">Holder R-0007( and [^<]+)?<\/td>/,
    );
  });

  it("gives the inspector's report as CSV", async () => {
    const res = await admin('GET', '/admin/tally/final?format=csv');
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="hemacare-2002-.+\.csv"/);
    const text = await res.text();
    expect(text.split('\r\n')[0]).toBe('section,proposal,line,measure,value');
    expect(text).toContain('meeting,,,required_quorum,3797588');
  });

  it('gives the leaves of the history digest chunk by chunk', async () => {
    const { snapshot } = await jsonOf(await admin('GET', '/admin/tally/final'));
    const res = await admin('GET', '/admin/tally/final?format=leaves&chunk=0');
    const lines = (await res.text()).split('\n');
    expect(lines).toHaveLength(snapshot.digest.accounts);
    // account, instruction count, chain head, and what decided the account in that count.
    expect(lines[0]).toMatch(/^[A-Z0-9-]+\t\d+\t[0-9a-f]{64}\t(voting|revoked|conflict|none)(:[^\t]*)?$/);
    expect((await admin('GET', '/admin/tally/final?format=leaves&chunk=9')).status).toBe(400);
  });
});

describe('GET /admin/export/{part}', () => {
  it('pages a Scan segment with the cursor it gives, until it gives none, covering the register once', async () => {
    const accounts: string[] = [];
    for (let segment = 0; segment < 2; segment++) {
      let cursor: string | null = null;
      let pages = 0;
      do {
        // 7 items read per page: many pages, some of them with no holder in them.
        const query: string = `segment=${segment}&segments=2&limit=7${cursor ? `&cursor=${cursor}` : ''}`;
        const res = await admin('GET', `/admin/export/register?${query}`);
        expect(res.status).toBe(200);
        const page = await jsonOf(res);
        expect(page).toMatchObject({ part: 'register', segment, segments: 2 });
        accounts.push(...page.items.map((h: { account: string }) => h.account));
        cursor = page.next;
        pages += 1;
      } while (cursor && pages < 100);
      expect(cursor).toBeNull();
      expect(pages).toBeGreaterThan(2);
    }
    expect([...accounts].sort()).toEqual(fx.holders.map((h) => h.account).sort());
  });

  it('gives each instruction with the keys that order the history', async () => {
    const page = await jsonOf(await admin('GET', '/admin/export/instructions'));
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items[0]).toMatchObject({
      account: expect.any(String),
      orderKey: expect.any(String),
      instruction: { id: expect.any(String), account: page.items[0].account },
    });
  });

  it('names a bad part, segment or cursor, and refuses the other roles', async () => {
    expect((await admin('GET', '/admin/export/proxies')).status).toBe(404);
    const segment = await admin('GET', '/admin/export/register?segment=2&segments=2');
    expect(segment.status).toBe(400);
    expect((await jsonOf(segment)).error.fields[0].path).toBe('segment');
    const forged = Buffer.from(JSON.stringify({ pk: 'HOLDER#A', sk: 'HOLDER', x: 1 })).toString('base64url');
    const cursor = await admin('GET', `/admin/export/register?cursor=${forged}`);
    expect(cursor.status).toBe(400);
    expect((await jsonOf(cursor)).error.fields[0].path).toBe('cursor');
    expect((await admin('GET', '/admin/export/register', undefined, 'clerk')).status).toBe(403);
    expect((await admin('GET', '/admin/export/register', undefined, 'supervisor')).status).toBe(403);
  });
});
