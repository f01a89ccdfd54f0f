// The notices' SES adapter: SendEmail (the text and HTML come from the project's own rendering; SES
// templates are not used) with one attempt per call. The SDK's own retries would resend after a
// timeout or a reset connection, when the first attempt may already have gone; the notice queue
// retries instead, and only failures that certainly sent nothing (see send-errors.ts).
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { SESClient, type SESClientConfig, SendEmailCommand } from '@aws-sdk/client-ses';
import type { RenderedEmail } from '../domain/confirmation-email.ts';
import { headerSafe } from '../domain/text.ts';
import type { Mailer } from '../mail/mailer.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../storage/dynamo-client.ts';

export interface NoticeMailerConfig {
  from: string;
  /** The local SES endpoint; absent on AWS. */
  endpoint?: string | undefined;
  region?: string | undefined;
  /** The configuration set whose event destination publishes bounces and complaints to SNS. */
  configurationSet?: string | undefined;
  /** Per request, in milliseconds (default 10 s). */
  timeoutMs?: number;
}

/** SES tag values allow letters, digits, '_', '-' and '.'. */
const tagValue = (v: string) => v.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 256);

export class NoticeMailer implements Mailer {
  /** The SES client (public so that tests can put middleware on it). */
  readonly client: SESClient;

  constructor(private readonly config: NoticeMailerConfig) {
    const options: SESClientConfig = {
      maxAttempts: 1,
      requestHandler: {
        httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 50 }),
        httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 50 }),
        connectionTimeout: 3_000,
        requestTimeout: config.timeoutMs ?? 10_000,
      },
    };
    if (config.endpoint) {
      options.endpoint = config.endpoint;
      options.region = config.region ?? LOCAL_REGION;
      options.credentials = LOCAL_CREDENTIALS;
    } else if (config.region) options.region = config.region;
    this.client = new SESClient(options);
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
        Tags: Object.entries(tags).map(([Name, Value]) => ({ Name, Value: tagValue(Value) })),
      }),
    );
    return out.MessageId ?? '';
  }

  destroy(): void {
    this.client.destroy();
  }
}
