// The AWS switch of the notice consumer: its SQS event source mapping is created disabled (see
// functions/workers.ts); starting the sending enables it (Lambda UpdateEventSourceMapping), after
// which Lambda polls the queue and the consumer sends at the configured rate.
import {
  GetEventSourceMappingCommand,
  LambdaClient,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { type AwsEndpointConfig, createAwsClient } from '../aws/clients.ts';
import type { SendingSwitch } from './ports.ts';

export class EventSourceMappingSwitch implements SendingSwitch {
  private readonly client: LambdaClient;

  constructor(
    private readonly uuid: string,
    config: Pick<AwsEndpointConfig, 'endpoint' | 'region'> = {},
  ) {
    this.client = createAwsClient(LambdaClient, config);
  }

  async start(): Promise<{ alreadyStarted: boolean }> {
    const current = await this.client.send(new GetEventSourceMappingCommand({ UUID: this.uuid }));
    if (current.State === 'Enabled' || current.State === 'Enabling') return { alreadyStarted: true };
    await this.client.send(new UpdateEventSourceMappingCommand({ UUID: this.uuid, Enabled: true }));
    return { alreadyStarted: false };
  }
}
