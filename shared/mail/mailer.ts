// Sending e-mail: the port, and its SES adapter (SendEmail; the local SES endpoint serves it too).
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { SESClient, type SESClientConfig, SendEmailCommand } from '@aws-sdk/client-ses';
import type { RenderedEmail } from '../domain/confirmation-email.ts';
import { headerSafe } from '../domain/text.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../storage/dynamo-client.ts';

export interface Mailer {
  /** Sends one message; resolves with the provider's message id. */
  send(to: string, email: RenderedEmail, tags?: Record<string, string>): Promise<string>;
}

export interface SesMailerConfig {
  from: string;
  /** Local SES endpoint (aws-ses-v2-local); absent on AWS. */
  endpoint?: string | undefined;
  region?: string | undefined;
  configurationSet?: string | undefined;
}

export class SesMailer implements Mailer {
  private readonly client: SESClient;

  constructor(private readonly config: SesMailerConfig) {
    const options: SESClientConfig = {
      requestHandler: {
        httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 50 }),
        httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 50 }),
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
        Tags: Object.entries(tags).map(([Name, Value]) => ({ Name, Value })),
      }),
    );
    return out.MessageId ?? '';
  }
}
