// One meeting's tables in the test DynamoDB Local, a register imported with control numbers, the
// handlers' environment, and the local HTTP adapter serving the route table: what every test of the
// HTTP API needs, and its teardown.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { routes } from '../../functions/routes.ts';
import { offsetToReach } from '../../shared/config/clock.ts';
import type { Holder } from '../../shared/domain/holder.ts';
import {
  type HttpAdapter,
  type HttpAdapterOptions,
  startHttpAdapter,
} from '../../shared/local/http-adapter.ts';
import { StreamPoller } from '../../shared/local/stream-poller.ts';
import { createTables } from '../../shared/storage/create-tables.ts';
import { createDynamoClients } from '../../shared/storage/dynamo-client.ts';
import { TABLE_KINDS, type TableNames } from '../../shared/storage/tables.ts';
import { confirmationsFromEnv } from '../../shared/voting/confirmation-stream.ts';
import { importHolders } from '../../shared/voting/register-import.ts';
import { setHandlerEnv, uniqueTableNames } from './local-env.ts';
import { localOperators, type Operators } from './operators.ts';

export const MEETING_JSON = readFileSync(
  new URL('../../meetings/hemacare-2002.json', import.meta.url),
  'utf8',
);

export interface VotingStack {
  api: HttpAdapter;
  names: TableNames;
  doc: DynamoDBDocumentClient;
  /** Hex HMAC secret of this stack. */
  secret: string;
  /** The operators' key pairs (one per role) the adapter accepts, and clients signing with them. */
  operators: Operators;
  /** The control number issued to each account. */
  controls: Map<string, string>;
  /**
   * Runs the confirmations worker over what the votes stream holds now (the stream read from where
   * the last call stopped): the e-mails of the instructions stored so far go out. Returns the records.
   */
  drainConfirmations(): Promise<number>;
  stop(): Promise<void>;
}

export interface VotingStackOptions {
  label: string;
  holders: Holder[];
  /** The instant the functions' clock reads at start (the reference meeting is in 2002). */
  asOf: string;
  /** More handler environment (e.g. MAX_CONTROL_FAILURES, POWERTOOLS_LOG_LEVEL). */
  env?: Record<string, string>;
  /** Table names, when a test needs a given prefix (default: unique per stack). */
  names?: TableNames;
  adapter?: Partial<HttpAdapterOptions>;
}

export async function startVotingStack(options: VotingStackOptions): Promise<VotingStack> {
  const names = options.names ?? uniqueTableNames(options.label);
  const { client, doc } = createDynamoClients({ endpoint: inject('dynamoEndpoint') });
  const secret = randomBytes(32).toString('hex');
  const operators = localOperators();
  await createTables(client, names);
  const { issued } = await importHolders(
    doc,
    names,
    options.holders,
    Buffer.from(secret, 'hex'),
    randomBytes,
  );
  setHandlerEnv(names);
  Object.assign(process.env, {
    MEETING_JSON,
    CONTROL_SECRET: secret,
    MAIL_FROM: 'Proxy Services <proxy@example.com>',
    SES_ENDPOINT: inject('sesEndpoint'),
    CLOCK_OFFSET_MS: String(offsetToReach(options.asOf)),
    ...options.env,
  });
  const api = await startHttpAdapter({ routes, port: 0, adminKeys: operators.all, ...options.adapter });
  // The confirmations worker on the votes stream, as the event source mapping runs it on AWS.
  // Built on first use, from the environment the stack set up.
  let confirmations: StreamPoller | undefined;
  return {
    api,
    names,
    doc,
    secret,
    operators,
    controls: issued,
    drainConfirmations: () => {
      confirmations ??= new StreamPoller({
        client,
        table: names.votes,
        handler: confirmationsFromEnv(process.env),
      });
      return confirmations.drain();
    },
    async stop() {
      await confirmations?.stop();
      await api.close();
      await Promise.allSettled(
        TABLE_KINDS.map((k) => client.send(new DeleteTableCommand({ TableName: names[k] }))),
      );
      client.destroy();
    },
  };
}

/** POST a JSON body. */
export function postJson(base: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
