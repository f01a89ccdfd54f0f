// Sending e-mail: the port, and its one SES adapter (SendEmail, with the text and HTML the project
// renders itself; SES templates are not used), serving the confirmations and the notices alike. The
// local SES endpoint serves it too.
//
// Attempts: the confirmations keep the SDK's retries (a duplicate confirmation is harmless). The
// notices pass `attempts: 1`: the SDK's own retries would resend after a timeout or a reset
// connection, when the first attempt may already have gone; the notice queue retries instead, and
// only failures that certainly sent nothing (shared/notices/send-errors.ts).
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { createAwsClient } from '../aws/clients.ts';
import type { RenderedEmail } from '../domain/confirmation-email.ts';
import { headerSafe } from '../domain/text.ts';

export interface Mailer {
  /** Sends one message; resolves with the provider's message id. */
  send(to: string, email: RenderedEmail, tags?: Record<string, string>): Promise<string>;
}

export interface SesMailerConfig {
  from: string;
  /** Local SES endpoint (aws-ses-v2-local); absent on AWS. */
  endpoint?: string | undefined;
  region?: string | undefined;
  /** The configuration set whose event destination publishes bounces and complaints to SNS. */
  configurationSet?: string | undefined;
  /** Attempts per message, the first included (default: the SDK's, 3). 1 for at-most-once sending. */
  attempts?: number | undefined;
  /** Milliseconds a SendEmail may take before it is abandoned (default: no limit of its own). */
  timeoutMs?: number | undefined;
}

/** SES message tags allow letters, digits, '_', '-' and '.', 256 characters at most. */
export function sesTagValue(value: string): string {
  return value.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 256);
}

export class SesMailer implements Mailer {
  /** The SES client (public so that tests can put middleware on it). */
  readonly client: SESClient;

  constructor(private readonly config: SesMailerConfig) {
    this.client = createAwsClient(SESClient, {
      endpoint: config.endpoint,
      region: config.region,
      maxAttempts: config.attempts,
      requestTimeoutMs: config.timeoutMs,
    });
  }

  async send(to: string, email: RenderedEmail, tags: Record<string, string> = {}): Promise<string> {
    const out = await this.client.send(
      new SendEmailCommand({
        Source: this.config.from,
        Destination: { ToAddresses: [headerSafe(to)] },
        Message: {
          Subject: { Data: headerSafe(email.subject), Charset: 'UTF-8' },
          Body: {
            Text: { Data: email.text, Charset: 'UTF-8' },
            Html: { Data: email.html, Charset: 'UTF-8' },
          },
        },
        ConfigurationSetName: this.config.configurationSet,
        Tags: Object.entries(tags).map(([Name, Value]) => ({
          Name: sesTagValue(Name),
          Value: sesTagValue(Value),
        })),
      }),
    );
    return out.MessageId ?? '';
  }

  destroy(): void {
    this.client.destroy();
  }
}
