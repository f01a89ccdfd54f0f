// The ballot page as the server renders it (GET /vote): meeting text escaped, a strict CSP whose hashes
// match the inline style and script, security headers, labels and fieldsets in place, and no control
// number anywhere in what the server sends.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { BALLOT_SCRIPT } from '../../shared/ballot-page/client.ts';
import { html, trusted } from '../../shared/ballot-page/markup.ts';
import {
  ballotCsp,
  ballotPageResponse,
  ballotScript,
  renderBallotPage,
} from '../../shared/ballot-page/page.ts';
import { BALLOT_CSS } from '../../shared/ballot-page/styles.ts';
import { offsetToReach } from '../../shared/config/clock.ts';
import { type Meeting, parseMeeting } from '../../shared/domain/meeting.ts';

const meetingJson = readFileSync(new URL('../../meetings/hemacare-2002.json', import.meta.url), 'utf8');
const hemacare = parseMeeting(meetingJson);

const HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>';
/** The reference meeting with attacker-controlled text in every field the page shows. */
function hostileMeeting(): Meeting {
  const raw = JSON.parse(meetingJson);
  raw.company = { name: `Evil ${HOSTILE} Corp`, address: `"><svg onload=alert(2)>` };
  raw.title = `Meeting </title><script>alert(3)</script>`;
  raw.place = `Hall ' onmouseover='alert(4)`;
  raw.proxyholders = ['</style><script>alert(5)</script>'];
  raw.proposals[0].title = `Directors ${HOSTILE}`;
  raw.proposals[0].nominees[0].name = `Nominee ${HOSTILE}`;
  raw.proposals[1].title = 'Other </legend></fieldset><form action="https://evil.example">';
  raw.proposals.push({
    kind: 'election',
    id: 'board-b',
    title: 'A contested election under the majority standard',
    seats: 1,
    standard: 'majority-of-votes-cast',
    cumulativeVotingAllowed: false,
    routine: false,
    nominees: [
      { id: 'x', name: 'X', boardRecommends: true },
      { id: 'y', name: 'Y "the dissident"', boardRecommends: false },
    ],
  });
  const meeting = parseMeeting(JSON.stringify(raw));
  // The meeting schema refuses a javascript: address; the page must not trust the schema alone.
  return {
    ...meeting,
    proxyStatementUrl: 'javascript:alert(6)',
    materials: meeting.materials && {
      ...meeting.materials,
      documents: [{ title: 'proxy statement', url: 'javascript:alert(6)' }],
    },
  };
}

/** The markup outside the inline <style> and <script>, where every tag and attribute is ours. */
function markupOnly(body: string): string {
  return body
    .replace(/<style>[\s\S]*?<\/style>/, '<style></style>')
    .replace(/<script>[\s\S]*?<\/script>/, '');
}

const attrValues = (body: string, attr: string) =>
  [...markupOnly(body).matchAll(new RegExp(`\\s${attr}="([^"]*)"`, 'g'))].map((m) => m[1] as string);

describe('the html template tag', () => {
  it('escapes every interpolation, keeps nested markup, and trusts only what is marked trusted', () => {
    const name = '<b>"A" & \'B\'</b>';
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;b&gt;&quot;A&quot; &amp; &#39;B&#39;&lt;/b&gt;">&lt;b&gt;&quot;A&quot; &amp; &#39;B&#39;&lt;/b&gt;</p>',
    );
    expect(html`<ul>${['a<', 'b>'].map((s) => html`<li>${s}</li>`)}</ul>`.value).toBe(
      '<ul><li>a&lt;</li><li>b&gt;</li></ul>',
    );
    expect(html`${null}${undefined}${false}${0}${trusted('<br>')}`.value).toBe('0<br>');
  });
});

describe('the rendered ballot page', () => {
  const page = renderBallotPage(hostileMeeting());
  const body = page.body;

  it('escapes hostile meeting text everywhere', () => {
    expect(body).toContain(
      'Evil &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt; Corp',
    );
    expect(body).toContain('&quot;&gt;&lt;svg onload=alert(2)&gt;');
    expect(body).toContain('Meeting &lt;/title&gt;&lt;script&gt;alert(3)&lt;/script&gt;');
    expect(body).toContain('Hall &#39; onmouseover=&#39;alert(4)');
    expect(body).toContain(
      'Other &lt;/legend&gt;&lt;/fieldset&gt;&lt;form action=&quot;https://evil.example&quot;&gt;',
    );
    for (const raw of [
      '<img src=x',
      '<svg',
      'alert(3)</script>',
      "' onmouseover='",
      '<form action="https://evil',
    ]) {
      expect(body).not.toContain(raw);
    }
    // Exactly the page's own style and script elements, and one form of each kind we render.
    expect(body.match(/<script\b/g)).toHaveLength(1);
    expect(body.match(/<\/script>/g)).toHaveLength(1);
    expect(body.match(/<style\b/g)).toHaveLength(1);
    expect(body.match(/<form\b/g)).toHaveLength(2);
    // Nominee names in data attributes and labels are escaped too.
    expect(body).toContain('data-label="Nominee &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(body).toContain('Y &quot;the dissident&quot;');
  });

  it('renders a link only for an http(s) proxy statement address', () => {
    // Only the page's own language switch: the javascript: address is shown as text.
    expect(attrValues(body, 'href')).toEqual(['vote?lang=es']);
    expect(body).toContain('proxy statement (javascript:alert(6))');
    const normal = renderBallotPage(hemacare).body;
    const docs = (hemacare.materials?.documents ?? []).map((d) => d.url);
    expect(docs).toHaveLength(2);
    expect(attrValues(normal, 'href')).toEqual(['vote?lang=es', ...docs]);
    expect(normal).toContain(`<a href="${docs[0]}" rel="noopener noreferrer">Proxy statement</a>`);
  });

  it('has a strict CSP whose hashes are those of the inline style and script', () => {
    const script = /<script>([\s\S]*?)<\/script>/.exec(body)?.[1] as string;
    const style = /<style>([\s\S]*?)<\/style>/.exec(body)?.[1] as string;
    expect(script).toBe(ballotScript('en'));
    expect(style).toBe(BALLOT_CSS);
    const hash = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
    const directives = Object.fromEntries(
      page.csp.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values.join(' ')];
      }),
    );
    expect(directives).toMatchObject({
      'default-src': "'self'",
      'script-src': hash(script),
      'style-src': hash(style),
      'connect-src': "'self'",
      'object-src': "'none'",
      'base-uri': "'none'",
      'form-action': "'self'",
      'frame-ancestors': "'none'",
    });
    expect(page.csp).not.toMatch(/unsafe-|\*|data:|https?:/);
    expect(ballotCsp('other script')).not.toBe(page.csp);
    // Nothing inline that the CSP would have to allow: no handler attributes, no style attributes.
    // (Every "<" of meeting text is escaped, so each match below is a tag the page itself wrote.)
    const tags = markupOnly(body).match(/<[a-z][^>]*>/gi) ?? [];
    expect(tags.length).toBeGreaterThan(100);
    // Attribute values are quoted, and a '"' in them is escaped: what is left are attribute names.
    const names = tags.map((t) => t.replace(/"[^"]*"/g, '""'));
    expect(names.filter((t) => /\son[a-z]+\s*=|\sstyle\s*=/i.test(t))).toEqual([]);
    expect(attrValues(body, 'href').filter((h) => /^\s*javascript:/i.test(h))).toEqual([]);
  });

  it('is accessible by construction: lang, one h1, labels, fieldsets with legends, resolvable references', () => {
    expect(body).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(body).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(body.match(/<h1\b/g)).toHaveLength(1);
    const ids = attrValues(body, 'id');
    expect(new Set(ids).size).toBe(ids.length);
    const idSet = new Set(ids);
    // Every control has a <label for> naming it.
    const labelled = new Set(attrValues(body, 'for'));
    const controls = [...markupOnly(body).matchAll(/<(input|select)\b[^>]*\sid="([^"]+)"/g)].map((m) => m[2]);
    expect(controls.length).toBeGreaterThan(20);
    for (const id of controls) expect(labelled, `label for ${id}`).toContain(id);
    // Every aria-describedby / aria-labelledby / aria-controls / label-for reference exists.
    for (const attr of ['aria-describedby', 'aria-labelledby', 'aria-controls', 'for']) {
      for (const ref of attrValues(body, attr).flatMap((v) => v.split(/\s+/))) {
        expect(idSet, `${attr} -> ${ref}`).toContain(ref);
      }
    }
    // One fieldset with a legend per proposal and per nominee.
    const nominees = hostileMeeting().proposals.flatMap((p) => (p.kind === 'election' ? p.nominees : []));
    const fieldsets = markupOnly(body).match(/<fieldset\b/g) ?? [];
    const legends = markupOnly(body).match(/<legend>/g) ?? [];
    expect(fieldsets).toHaveLength(hostileMeeting().proposals.length + nominees.length);
    expect(legends).toHaveLength(fieldsets.length);
    // The error messages have live regions to be announced from.
    expect(body).toContain('id="number-alert" role="alert"');
    expect(body).toContain('id="ballot-alert" role="alert"');
    expect(body).toContain('id="status" role="status" aria-live="polite"');
  });

  it('offers the choices of each standard, allocation only where cumulation is allowed', () => {
    expect(body).toContain('id="v_1_darlington_WITHHOLD"');
    expect(body).not.toContain('id="v_1_darlington_AGAINST"');
    expect(body).toContain('id="v_board-b_y_AGAINST"');
    expect(body).not.toContain('id="v_board-b_y_WITHHOLD"');
    for (const c of ['FOR', 'AGAINST', 'ABSTAIN']) expect(body).toContain(`id="v_2_${c}"`);
    expect(body).toContain('id="a_1_belisle"');
    expect(body).not.toContain('id="a_board-b_x"');
    expect(body).toContain('Leave these boxes empty to let the proxyholder spread your votes');
    expect(body).toContain('with no more than 1 For. If you mark no nominee');
    expect(body).toContain('Not nominated by the Board');
  });

  it('states the meeting in plain words, in its own time zone (the cut-off too, though set in New York time)', () => {
    const normal = renderBallotPage(hemacare).body;
    expect(normal).toContain('<dd>Thursday, June 13, 2002, 9:30 a.m. PDT</dd>');
    expect(normal).toContain('<dd id="closes-at-page">Wednesday, June 12, 2002, 8:59 p.m. PDT</dd>');
    expect(normal).toContain('close of business on Friday, April 19, 2002');
    expect(normal).toContain('The Board recommends a vote FOR each nominee.');
  });
});

describe('the client script', () => {
  it('is valid JavaScript that never parses HTML from strings and never puts the number in the URL', () => {
    expect(() => new Function(BALLOT_SCRIPT)).not.toThrow();
    for (const sink of [
      'innerHTML',
      'outerHTML',
      'insertAdjacentHTML',
      'document.write',
      'eval(',
      'new Function',
    ]) {
      expect(BALLOT_SCRIPT).not.toContain(sink);
    }
    expect(BALLOT_SCRIPT).not.toMatch(/<\/script/i);
    // The fragment (a link token, never a control number) is read, then dropped from the address bar
    // and the history entry; the token is exchanged by a POST.
    expect(BALLOT_SCRIPT).toContain("new URLSearchParams(hash.slice(1)).get('t')");
    expect(BALLOT_SCRIPT).not.toContain(".get('c')");
    expect(BALLOT_SCRIPT).toContain("postWithRetry('api/link', { linkToken: token })");
    expect(BALLOT_SCRIPT).toContain(
      "window.history.replaceState(null, '', window.location.pathname + window.location.search)",
    );
    expect(BALLOT_SCRIPT).not.toMatch(/location\.(href|hash)\s*=/);
    expect(BALLOT_SCRIPT).not.toMatch(/localStorage|sessionStorage|document\.cookie/);
    // One idempotency key per intended submission.
    expect(BALLOT_SCRIPT).toContain('crypto.randomUUID()');
  });
});

const ORIGIN_SECRET = 'a'.repeat(40);

describe('GET /vote (the Lambda handler)', () => {
  const context = {
    functionName: 'ballot-page',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:ballot-page',
    memoryLimitInMB: '256',
    awsRequestId: 'test',
    logGroupName: '/aws/lambda/ballot-page',
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  } as Context;
  const event = (rawQueryString: string): APIGatewayProxyEventV2 =>
    ({
      version: '2.0',
      routeKey: 'GET /vote',
      rawPath: '/vote',
      rawQueryString,
      headers: {
        host: 'vote.example.com',
        referer: 'https://mail.example.com/?c=4111111111111111',
        // As CloudFront forwards it: the origin's secret and the viewer's address.
        'x-proxyvote-origin': ORIGIN_SECRET,
        'cloudfront-viewer-address': '198.51.100.7:50000',
      },
      queryStringParameters: Object.fromEntries(new URLSearchParams(rawQueryString)),
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: 'vote.example.com',
        domainPrefix: 'vote',
        http: {
          method: 'GET',
          path: '/vote',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'test',
        },
        requestId: 'r1',
        routeKey: 'GET /vote',
        stage: '$default',
        time: '01/Jun/2002:17:00:00 +0000',
        timeEpoch: 0,
      },
      isBase64Encoded: false,
    }) as APIGatewayProxyEventV2;

  it('answers the page with the security headers, and no control number even when one is sent to it', async () => {
    vi.resetModules();
    vi.stubEnv('MEETING_JSON', meetingJson);
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'ERROR');
    vi.stubEnv('ORIGIN_SECRET', ORIGIN_SECRET);
    // While internet voting is open (1 June 2002 on the functions' clock).
    vi.stubEnv('CLOCK_OFFSET_MS', String(offsetToReach('2002-06-01T17:00:00.000Z')));
    try {
      const { handler } = await import('../../functions/ballot-page/handler.ts');
      const res = (await handler(
        event('c=4111111111111111&x=5500000000000004'),
        context,
      )) as APIGatewayProxyStructuredResultV2;
      expect(res.statusCode).toBe(200);
      expect(res.headers).toMatchObject({
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': ballotCsp(),
        'x-frame-options': 'DENY',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-store',
        'cross-origin-opener-policy': 'same-origin',
        'strict-transport-security': 'max-age=31536000; includeSubDomains',
      });
      expect(String(res.headers?.['permissions-policy'])).toContain('camera=()');
      const body = String(res.body);
      expect(body).toBe(renderBallotPage(hemacare).body);
      expect(body).not.toMatch(/\d{16}/);
      expect(body).not.toMatch(/\d{4} \d{4} \d{4} \d{4}/);
      expect(body).not.toContain('4111');
      expect(JSON.stringify(res.headers)).not.toMatch(/\d{16}/);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('ballotPageResponse keeps the html() headers and adds the page headers', () => {
    const res = ballotPageResponse(renderBallotPage(hemacare));
    expect(Object.keys(res.headers ?? {}).sort()).toEqual(
      [
        'cache-control',
        'content-security-policy',
        'content-type',
        'cross-origin-opener-policy',
        'cross-origin-resource-policy',
        'permissions-policy',
        'referrer-policy',
        'strict-transport-security',
        'x-content-type-options',
        'x-frame-options',
      ].sort(),
    );
  });
});
