// What `cdk synth` refuses before it builds anything: a meeting file or deployment settings that do
// not validate (one line per bad field), an environment over Lambda's 4 KB, an admin route without IAM
// authorization, a function whose access nobody declared. No synthesis of the full stacks here.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { afterAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/routes.ts';
import * as declaredWorkers from '../../functions/workers.ts';
import { defaultDeployFile, parseDeploySettings, readDeploySettings } from '../../infra/deploy-settings.ts';
import { DEFAULT_MEETING_FILE, readMeetingFile } from '../../infra/meeting-context.ts';
import { applyNoticeSettings, buildMeetingStacks, NOTICE_SENDER } from '../../infra/meeting-stacks.ts';
import {
  bundledEnvironmentBanner,
  LAMBDA_ENVIRONMENT_LIMIT_BYTES,
  ProxyvoteFunction,
} from '../../infra/proxyvote-function.ts';
import { readWorkersModule, type WorkerSpec } from '../../infra/worker-spec.ts';
import { InvalidInputError } from '../../shared/domain/meeting.ts';
import type { HttpRoute } from '../../shared/http/route.ts';

const dir = mkdtempSync(join(tmpdir(), 'proxyvote-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const meeting = readMeetingFile(DEFAULT_MEETING_FILE);
const settingsText = readFileSync('meetings/hemacare-2002.deploy.json', 'utf8');
const settings = readDeploySettings('meetings/hemacare-2002.deploy.json');
const { workers, httpAccess } = readWorkersModule(declaredWorkers);

function problems(json: unknown): string[] {
  try {
    parseDeploySettings(JSON.stringify(json));
    return [];
  } catch (e) {
    if (e instanceof InvalidInputError) return e.problems;
    throw e;
  }
}

describe('the deployment settings', () => {
  it('are found next to the meeting file by default', () => {
    expect(defaultDeployFile('meetings/hemacare-2002.json')).toBe('meetings/hemacare-2002.deploy.json');
    expect(settings.region).toBe('us-west-2');
    expect(settings.alarmEmail).toMatch(/@example\.com$/);
  });

  it('name each bad field', () => {
    const base = JSON.parse(settingsText);
    expect(
      problems({
        ...base,
        region: 'California',
        alarmEmail: 'nobody',
        logRetentionDays: 42,
        waf: { requestsPerSourceAddress: 5 },
        throttling: { rateLimit: 100, burstLimit: 50 },
        extra: true,
      }),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^region: must be an AWS Region/),
        expect.stringMatching(/^alarmEmail: must be an e-mail address/),
        expect.stringMatching(/^logRetentionDays: must be one of CloudWatch's retention periods/),
        expect.stringMatching(/^waf\.requestsPerSourceAddress: /),
        expect.stringMatching(/^throttling\.burstLimit: must be at least throttling\.rateLimit/),
        expect.stringMatching(/extra/),
      ]),
    );
  });

  it('refuse a sender outside the SES identity', () => {
    const base = JSON.parse(settingsText);
    expect(
      problems({ ...base, mail: { from: 'Proxy <proxy@elsewhere.org>', domain: 'example.com' } }),
    ).toEqual([
      'mail.from: must be an address at example.com (the SES identity in mail.domain), not at elsewhere.org',
    ]);
    expect(problems({ ...base, mail: { from: 'proxy@mail.example.com', domain: 'example.com' } })).toEqual(
      [],
    );
  });
});

describe('reserved example domains', () => {
  const real = {
    region: 'us-west-2',
    alarmEmail: 'proxy-operations@hemacare.com',
    mail: { from: 'HemaCare Proxy Services <proxy@hemacare.com>', domain: 'hemacare.com' },
    logRetentionDays: 400,
    waf: { requestsPerSourceAddress: 300 },
    throttling: { rateLimit: 100, burstLimit: 200 },
  };

  it('accepts a real domain, with a MAIL FROM subdomain', () => {
    expect(problems(real)).toEqual([]);
    expect(problems({ ...real, mail: { ...real.mail, mailFromDomain: 'bounce.hemacare.com' } })).toEqual([]);
  });

  it.each([
    ['example.com', 'example.com'],
    ['mail.example.net', 'example.net'],
    ['example.org', 'example.org'],
    ['corp.example', '.example'],
    ['proxy.test', '.test'],
    ['bad.invalid', '.invalid'],
    ['localhost', 'localhost'],
  ])('refuses %s outside demo mode, naming each field that uses it', (domain, reserved) => {
    const out = problems({
      ...real,
      alarmEmail: `ops@${domain}`,
      mail: { from: `Proxy <proxy@${domain}>`, domain },
    });
    // localhost is no domain name to the schema (no dot): it is refused by its shape first.
    if (domain === 'localhost') {
      expect(out).toEqual(expect.arrayContaining([expect.stringMatching(/^mail\.domain: /)]));
      return;
    }
    expect(out).toEqual([
      expect.stringMatching(
        new RegExp(
          `^mail\\.domain: ${domain.replace(/\./g, '\\.')} is a reserved example domain \\(${reserved.replace(/\./g, '\\.')}\\)`,
        ),
      ),
      expect.stringMatching(/^mail\.from: .* is a reserved example domain/),
      expect.stringMatching(/^alarmEmail: .* is a reserved example domain/),
    ]);
    expect(out[0]).toMatch(/set "demo": true for a demonstration deployment/);
  });

  it('accepts them with "demo": true, as the reference meeting\'s settings say', () => {
    expect(
      problems({ ...real, demo: true, mail: { from: 'proxy@example.com', domain: 'example.com' } }),
    ).toEqual([]);
    expect(settings.demo).toBe(true);
  });

  it('refuses a MAIL FROM domain outside mail.domain, or one set on an existing identity', () => {
    expect(problems({ ...real, mail: { ...real.mail, mailFromDomain: 'bounce.other.com' } })).toEqual([
      'mail.mailFromDomain: must be a subdomain of hemacare.com (mail.domain), such as bounce.hemacare.com',
    ]);
    expect(
      problems({
        ...real,
        mail: { ...real.mail, identity: 'existing', mailFromDomain: 'bounce.hemacare.com' },
      }),
    ).toEqual([
      'mail.mailFromDomain: is set on the identity itself when mail.identity is "existing": remove it here',
    ]);
  });
});

describe.concurrent('cdk synth with a bad file', () => {
  const synth = (context: Record<string, string>) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'infra/app.ts'], {
      encoding: 'utf8',
      env: {
        ...process.env,
        CDK_CONTEXT_JSON: JSON.stringify({ ...context, 'aws:cdk:bundling-stacks': [] }),
        CDK_OUTDIR: join(dir, 'out'),
      },
    });

  it('stops before building anything, naming each bad field of the meeting file', () => {
    const bad = join(dir, 'bad-meeting.json');
    writeFileSync(bad, JSON.stringify({ ...meeting, timeZone: 'Mars/Olympus', sharesOutstanding: -1 }));
    const out = synth({ meeting: bad, deploy: 'meetings/hemacare-2002.deploy.json' });
    expect(out.status).toBe(1);
    expect(out.stderr).toContain(`meeting file ${bad} is invalid:`);
    expect(out.stderr).toMatch(/- timeZone: must be an IANA time zone/);
    expect(out.stderr).toMatch(/- sharesOutstanding: /);
  });

  it('names the deployment settings file it could not find', () => {
    const out = synth({ meeting: DEFAULT_MEETING_FILE, deploy: join(dir, 'missing.deploy.json') });
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('cannot read the deployment settings');
    expect(out.stderr).toContain('-c deploy=');
  });
});

describe('the stacks refuse', () => {
  const build =
    (overrides: { routes?: readonly HttpRoute[] } = {}) =>
    () =>
      buildMeetingStacks(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), {
        meeting,
        settings,
        routes: overrides.routes ?? routes,
        workers,
        httpAccess,
      });
  const noop = async () => ({ handler: async () => ({}) });

  it('an admin route without IAM authorization', () => {
    const open: HttpRoute = {
      method: 'POST',
      path: '/admin/polls/close',
      function: 'close-polls',
      handler: noop,
    };
    expect(build({ routes: [...routes.filter((r) => r.path !== open.path), open] })).toThrow(
      "POST /admin/polls/close: admin routes must have auth: 'iam' in functions/routes.ts",
    );
  });

  it('a route to a function whose access nobody declared', () => {
    const unknown: HttpRoute = { method: 'GET', path: '/mystery', function: 'mystery', handler: noop };
    expect(build({ routes: [...routes, unknown] })).toThrow(
      /"mystery" function, but nothing says what it may do/,
    );
  });
});

describe('the house function', () => {
  it("fails synthesis when its environment would pass Lambda's 4 KB", () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, outdir: join(dir, 'env') });
    const stack = new Stack(app, 'EnvTest', { env: { region: 'us-west-2' } });
    new ProxyvoteFunction(stack, 'Big', {
      name: 'big',
      entry: 'functions/health/handler.ts',
      meetingId: 'big',
      logRetention: RetentionDays.ONE_WEEK,
      environment: { MEETING_JSON: 'x'.repeat(LAMBDA_ENVIRONMENT_LIMIT_BYTES) },
    });
    expect(() => app.synth()).toThrow(
      /environment of the big function would take about \d+ bytes, over Lambda's 4096/,
    );
  });

  it('carries the meeting file in its bundle: the first line sets it where the environment has none', () => {
    const banner = bundledEnvironmentBanner({ MEETING_JSON: '{"id":"x","quote":"\\"\u2028"}' });
    const unset: Record<string, string | undefined> = {};
    new Function('process', banner)({ env: unset });
    expect(JSON.parse(String(unset.MEETING_JSON))).toEqual({ id: 'x', quote: '"\u2028' });
    const set: Record<string, string | undefined> = { MEETING_JSON: 'given' };
    new Function('process', banner)({ env: set });
    expect(set.MEETING_JSON).toBe('given');
    expect(bundledEnvironmentBanner({})).toBe('');
  });

  it('synthesizes the contested example, whose meeting file and the other variables would pass the 4 KB environment', () => {
    const contested = readMeetingFile('meetings/hemacare-2002-contested.json');
    expect(Buffer.byteLength(JSON.stringify(contested))).toBeGreaterThan(LAMBDA_ENVIRONMENT_LIMIT_BYTES / 2);
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, outdir: join(dir, 'contested') });
    const contestedSettings = readDeploySettings('meetings/hemacare-2002-contested.deploy.json');
    const stacks = buildMeetingStacks(app, {
      meeting: contested,
      settings: contestedSettings,
      routes,
      workers,
      httpAccess,
    });
    expect(() => app.synth()).not.toThrow();
    const submit = stacks.compute.functions.get('submit-proxy');
    expect(JSON.parse(String(submit?.bundledEnvironment.MEETING_JSON))).toEqual(contested);
  });
});

describe("the notices' rate and concurrency", () => {
  // The reference meeting: notice date 2002-05-06, meeting 2002-06-13 (38 days: late, so the window is
  // the notice date's own day, 24 hours); the reference settings: 500,000 holders at 5/s x 2 = 10/s.
  // Through the schema, as synth reads them (its defaults: 5/s, 2 in flight, a 14/s quota).
  const withNotices = (notices: Record<string, unknown> | undefined) =>
    parseDeploySettings(JSON.stringify({ ...JSON.parse(settingsText), notices }));
  const refusal = (notices: Record<string, unknown> | undefined): string[] => {
    try {
      applyNoticeSettings(meeting, withNotices(notices), workers);
      return [];
    } catch (e) {
      if (e instanceof InvalidInputError) return e.problems;
      throw e;
    }
  };
  const sender = (ws: readonly WorkerSpec[]) => ws.find((w) => w.name === NOTICE_SENDER) as WorkerSpec;

  it('gives the notice sender the rate and batches in flight the settings name', () => {
    const out = sender(
      applyNoticeSettings(
        meeting,
        withNotices({
          expectedHolders: 100_000,
          sendRatePerConsumer: 3,
          maxConcurrency: 4,
          sesMaxSendRate: 14,
        }),
        workers,
      ),
    );
    expect(out.environment?.NOTICE_SEND_RATE).toBe('3');
    expect(out.triggers[0]).toMatchObject({ kind: 'queue', queue: 'notices', maxConcurrency: 4 });
    // And the reference settings pass as they are.
    expect(refusal(settings.notices)).toEqual([]);
  });

  it('refuses a register that cannot be sent before the 40-day date at the deployed rate', () => {
    // 1,000,000 at 10/s take 27.78 hours; the window has 24.
    expect(
      refusal({ expectedHolders: 1_000_000, sendRatePerConsumer: 5, maxConcurrency: 2, sesMaxSendRate: 14 }),
    ).toEqual([
      'notices.expectedHolders: 1,000,000 notices at 10/s take 27.78 hours, but the window from 2002-05-06 to the 40-day date (2002-05-04) has 24: they need 11.57/s (raise notices.sendRatePerConsumer or notices.maxConcurrency, within the SES quota)',
    ]);
    // A configured window shorter than that: 100,000 at 10/s need 2.78 hours, not 2.
    expect(refusal({ expectedHolders: 100_000, sendingWindowHours: 2 })).toEqual([
      expect.stringMatching(/^notices\.expectedHolders: 100,000 notices at 10\/s take 2\.78 hours/),
    ]);
    // A window that ends after the last day.
    expect(refusal({ expectedHolders: 10, sendingWindowHours: 48 })).toEqual([
      'notices.sendingWindowHours: 48 hours from the notice date (2002-05-06) end after the notice date: at most 24',
    ]);
  });

  it('refuses a rate over the SES quota, and settings that name no register size', () => {
    expect(
      refusal({ expectedHolders: 1_000, sendRatePerConsumer: 5, maxConcurrency: 3, sesMaxSendRate: 14 }),
    ).toEqual([
      'notices.sendRatePerConsumer: 5/s x 3 batches in flight (notices.maxConcurrency) = 15/s exceeds the SES quota of 14/s (notices.sesMaxSendRate): SES would throttle the sending; lower the rate or raise the quota first',
    ]);
    expect(refusal(undefined)).toEqual([
      expect.stringMatching(/^notices: required: at least \{ "expectedHolders": N \}/),
    ]);
    // The stacks refuse it the same way (before building anything).
    expect(() =>
      buildMeetingStacks(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), {
        meeting,
        settings: withNotices({
          expectedHolders: 1_000,
          sendRatePerConsumer: 20,
          maxConcurrency: 2,
          sesMaxSendRate: 14,
        }),
        routes,
        workers,
        httpAccess,
      }),
    ).toThrow(
      /notices\.sendRatePerConsumer: 20\/s x 2 batches in flight .* = 40\/s exceeds the SES quota of 14\/s/,
    );
  });

  it('counts a window up to the 40-day date when the notice date is early enough', () => {
    const early = { ...meeting, noticeDate: '2002-04-24' };
    // 2002-04-24 to 2002-05-04 inclusive: 11 days, 264 hours.
    expect(() =>
      applyNoticeSettings(
        early,
        withNotices({ expectedHolders: 9_000_000, sendRatePerConsumer: 5, maxConcurrency: 2 }),
        workers,
      ),
    ).not.toThrow();
    expect(() =>
      applyNoticeSettings(
        early,
        withNotices({ expectedHolders: 9_600_000, sendRatePerConsumer: 5, maxConcurrency: 2 }),
        workers,
      ),
    ).toThrow(
      /9,600,000 notices at 10\/s take 266\.67 hours, but the window from 2002-04-24 to the 40-day date \(2002-05-04\) has 264/,
    );
  });
});
