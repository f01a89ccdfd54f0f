// The AWS switch of the notice consumer: its SQS event source mapping is created disabled (see
// functions/workers.ts); starting the sending enables it (Lambda UpdateEventSourceMapping), after
// which Lambda polls the queue and the consumer sends at the configured rate.

import { awsFetch } from './aws-sign.ts';
import type { SendingSwitch } from './ports.ts';

export class EventSourceMappingSwitch implements SendingSwitch {
  constructor(
    private readonly uuid: string,
    private readonly region: string,
    private readonly endpoint = `https://lambda.${region}.amazonaws.com`,
  ) {}

  private url(): string {
    return `${this.endpoint}/2015-03-31/event-source-mappings/${encodeURIComponent(this.uuid)}`;
  }

  async start(): Promise<{ alreadyStarted: boolean }> {
    const current = await awsFetch({
      method: 'GET',
      url: this.url(),
      service: 'lambda',
      region: this.region,
    });
    if (current.status !== 200) throw new Error(`GetEventSourceMapping answered ${current.status}`);
    const state = (JSON.parse(current.text) as { State?: string }).State;
    if (state === 'Enabled' || state === 'Enabling') return { alreadyStarted: true };
    const body = JSON.stringify({ Enabled: true });
    const out = await awsFetch({
      method: 'PUT',
      url: this.url(),
      service: 'lambda',
      region: this.region,
      headers: { 'content-type': 'application/json' },
      body,
    });
    if (out.status < 200 || out.status >= 300)
      throw new Error(`UpdateEventSourceMapping answered ${out.status}`);
    return { alreadyStarted: false };
  }
}
