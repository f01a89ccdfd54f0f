// How one meeting is deployed on AWS: region, who gets the alarms, who the mail comes from (and the SES
// identity the stacks create for it), how long logs are kept, and the limits at the edge. A JSON file next to the meeting file
// (meetings/<id>.deploy.json by default, `-c deploy=...` to choose another), validated at synth time
// with one line per bad field, like the meeting file itself.
import { readFileSync } from 'node:fs';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';
import { formatIssues, InvalidInputError } from '../shared/domain/meeting.ts';
import { reportRecipientSchema } from '../shared/domain/vote-report.ts';

/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS: readonly number[] = Object.values(RetentionDays).filter(
  (v): v is number => typeof v === 'number' && v > 0,
);

const hostname = z
  .string()
  .regex(
    /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'must be a lower-case domain name such as example.com',
  );

/** `proxy@example.com` or `HemaCare Proxy Services <proxy@example.com>`. */
const MAILBOX = /^(?:[^<>\r\n]+<([^<>\s@]+@[^<>\s@]+)>|([^<>\s@]+@[^<>\s@]+))$/;

/**
 * Names reserved for documentation and testing (RFC 2606, RFC 6761): no mail can be delivered from or
 * to them. Accepted only in a deployment that says `"demo": true`.
 */
export function reservedDomain(domain: string): string | undefined {
  const d = domain.toLowerCase().replace(/\.$/, '');
  for (const reserved of ['example.com', 'example.net', 'example.org']) {
    if (d === reserved || d.endsWith(`.${reserved}`)) return reserved;
  }
  for (const tld of ['example', 'test', 'invalid', 'localhost']) {
    if (d === tld || d.endsWith(`.${tld}`)) return tld === 'localhost' ? 'localhost' : `.${tld}`;
  }
  return undefined;
}

/** The e-mail address inside a From value. */
export function mailboxAddress(from: string): string | undefined {
  const m = MAILBOX.exec(from.trim());
  return m?.[1] ?? m?.[2];
}

export const deploySettingsSchema = z
  .strictObject({
    /** The AWS Region of the meeting's data and functions. The WAF web ACL is always in us-east-1. */
    region: z.string().regex(/^[a-z]{2}(?:-[a-z]+)+-\d$/, 'must be an AWS Region such as us-west-2'),
    /** The account; omitted, the CLI's current account. */
    account: z
      .string()
      .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
      .optional(),
    /** Where the alarms are e-mailed (an SNS e-mail subscription: confirm it once after the first deploy). */
    alarmEmail: z.email('must be an e-mail address'),
    /**
     * A demonstration deployment: reserved example domains (example.com, *.test, ...) are accepted. No
     * real mail can go out from one; never set it for a real meeting.
     */
    demo: z.boolean().default(false),
    mail: z.strictObject({
      /** The From of confirmations and notices. */
      from: z.string().trim().regex(MAILBOX, 'must be "Name <address@domain>" or "address@domain"'),
      /** The SES identity: the domain the functions may send as. */
      domain: hostname,
      /**
       * `create` (default): the stateful stack creates the SES domain identity with Easy DKIM; publish
       * its three DKIM CNAME records. `existing`: the identity is already verified in the account and
       * Region (another meeting's stacks, or the console), and the stacks only use it.
       */
      identity: z.enum(['create', 'existing']).default('create'),
      /**
       * Optional custom MAIL FROM domain, a subdomain of `domain` (e.g. bounce.example.com): SPF then
       * aligns with the From domain (DMARC). Publish its MX and SPF records. Only with identity `create`.
       */
      mailFromDomain: hostname.optional(),
    }),
    /** Optional: a public name for the voting site, with an ACM certificate for it in us-east-1. */
    publicDomain: z
      .strictObject({
        name: hostname,
        certificateArn: z
          .string()
          .regex(
            /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/,
            'must be the ARN of an ACM certificate in us-east-1 (CloudFront uses only those)',
          ),
      })
      .optional(),
    /** Days the functions' and the API's logs are kept. */
    logRetentionDays: z
      .number()
      .int()
      .refine((d) => LOG_RETENTION_DAYS.includes(d), {
        message: `must be one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(', ')}`,
      }),
    /** The WAF rate-based rule: requests one source address may make in the window before it is blocked. */
    waf: z.strictObject({
      requestsPerSourceAddress: z.number().int().min(10).max(2_000_000_000),
      windowSeconds: z.union([z.literal(60), z.literal(120), z.literal(300), z.literal(600)]).default(300),
    }),
    /** The HTTP API stage's throttling: steady requests per second and burst, for all routes together. */
    throttling: z.strictObject({
      rateLimit: z.number().positive().max(100_000),
      burstLimit: z.number().int().positive().max(100_000),
    }),
    /**
     * Failed control numbers a viewer (an IPv4 address, an IPv6 /64) may make at once before waiting
     * (the functions' MAX_CONTROL_FAILURES; shared/domain/guess-limit.ts, docs/security.md).
     */
    maxControlFailures: z.number().int().positive().max(1000).default(20),
    /**
     * The interim vote report during the solicitation: after each nightly count, its tally (totals
     * only) is e-mailed in one operation to every recipient here - the corporate secretary (no
     * `party`: the registrant's people) and, in a contest, each soliciting party's (`party`: its id in
     * the meeting file). Each delivery is recorded (docs/operators.md). Absent: no report is mailed.
     */
    voteReports: z
      .strictObject({
        recipients: z
          .array(reportRecipientSchema)
          .min(1, 'must name at least one recipient (or leave voteReports out)')
          .max(50),
      })
      .optional(),
    /**
     * The notices' sending, checked at synth against the meeting (shared/notices/send-plan.ts): the
     * e-delivery holders expected, the rate per consumer instance and the batches in flight (their
     * product must stay under the SES quota), and optionally the hours of sending planned. Required
     * to deploy; absent, synth says so.
     */
    notices: z
      .strictObject({
        expectedHolders: z.number().int().min(0).max(100_000_000),
        sendRatePerConsumer: z.number().positive().max(1000).default(5),
        maxConcurrency: z.number().int().min(2).max(1000).default(2),
        sesMaxSendRate: z.number().positive().max(100_000).default(14),
        sendingWindowHours: z
          .number()
          .positive()
          .max(24 * 366)
          .optional(),
      })
      .optional(),
  })
  .superRefine((s, ctx) => {
    const address = mailboxAddress(s.mail.from);
    const domain = address?.split('@')[1]?.toLowerCase();
    if (!s.demo) {
      const named: [string[], string | undefined][] = [
        [['mail', 'domain'], s.mail.domain],
        [['mail', 'from'], domain],
        [['mail', 'mailFromDomain'], s.mail.mailFromDomain],
        [['alarmEmail'], s.alarmEmail.split('@')[1]],
        [['publicDomain', 'name'], s.publicDomain?.name],
        ...(s.voteReports?.recipients ?? []).map((r, i): [string[], string | undefined] => [
          ['voteReports', 'recipients', String(i), 'email'],
          r.email.split('@')[1],
        ]),
      ];
      for (const [path, value] of named) {
        const reserved = value ? reservedDomain(value) : undefined;
        if (reserved) {
          ctx.addIssue({
            code: 'custom',
            path,
            message:
              `${value} is a reserved example domain (${reserved}): no mail can be delivered there. ` +
              'Use your own domain, or set "demo": true for a demonstration deployment',
          });
        }
      }
    }
    if (s.mail.mailFromDomain) {
      if (!s.mail.mailFromDomain.endsWith(`.${s.mail.domain}`)) {
        ctx.addIssue({
          code: 'custom',
          path: ['mail', 'mailFromDomain'],
          message: `must be a subdomain of ${s.mail.domain} (mail.domain), such as bounce.${s.mail.domain}`,
        });
      }
      if (s.mail.identity === 'existing') {
        ctx.addIssue({
          code: 'custom',
          path: ['mail', 'mailFromDomain'],
          message: 'is set on the identity itself when mail.identity is "existing": remove it here',
        });
      }
    }
    if (domain && domain !== s.mail.domain && !domain.endsWith(`.${s.mail.domain}`)) {
      ctx.addIssue({
        code: 'custom',
        path: ['mail', 'from'],
        message: `must be an address at ${s.mail.domain} (the SES identity in mail.domain), not at ${domain}`,
      });
    }
    if (s.throttling.burstLimit < s.throttling.rateLimit) {
      ctx.addIssue({
        code: 'custom',
        path: ['throttling', 'burstLimit'],
        message: 'must be at least throttling.rateLimit',
      });
    }
  });

export type DeploySettings = z.infer<typeof deploySettingsSchema>;

/** Parses a deployment settings file's text; throws InvalidInputError naming every bad field. */
export function parseDeploySettings(json: string, source = 'deployment settings'): DeploySettings {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new InvalidInputError(source, [`(file): not valid JSON: ${(e as Error).message}`]);
  }
  const result = deploySettingsSchema.safeParse(raw);
  if (!result.success) throw new InvalidInputError(source, formatIssues(result.error));
  return result.data;
}

/** `meetings/hemacare-2002.json` -> `meetings/hemacare-2002.deploy.json`. */
export function defaultDeployFile(meetingFile: string): string {
  return meetingFile.replace(/(\.json)?$/i, '.deploy.json');
}

export function readDeploySettings(file: string): DeploySettings {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the deployment settings ${file} (-c deploy=...): ${(e as Error).message}`);
  }
  return parseDeploySettings(text, `deployment settings ${file}`);
}
