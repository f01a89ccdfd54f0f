// GET /health through the local HTTP adapter, against DynamoDB Local.
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { routes } from '../../functions/routes.ts';
import { type HttpAdapter, startHttpAdapter } from '../../shared/local/http-adapter.ts';
import { createTables } from '../../shared/storage/create-tables.ts';
import { createDynamoClients } from '../../shared/storage/dynamo-client.ts';
import { TABLE_KINDS } from '../../shared/storage/tables.ts';
import { setHandlerEnv, uniqueTableNames } from '../support/local-env.ts';

const names = uniqueTableNames('health');
const { client } = createDynamoClients({ endpoint: inject('dynamoEndpoint') });
let api: HttpAdapter;

beforeAll(async () => {
  await createTables(client, names);
  setHandlerEnv(names);
  api = await startHttpAdapter({ routes, port: 0 });
});

afterAll(async () => {
  await api?.close();
  await Promise.allSettled(
    TABLE_KINDS.map((k) => client.send(new DeleteTableCommand({ TableName: names[k] }))),
  );
  client.destroy();
});

describe('GET /health', () => {
  it('answers 200 with every table ACTIVE when the tables exist', async () => {
    const res = await fetch(`${api.url}/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = await res.json();
    expect(body).toEqual({
      status: 'ok',
      tables: {
        register: { name: names.register, status: 'ACTIVE' },
        votes: { name: names.votes, status: 'ACTIVE' },
        operations: { name: names.operations, status: 'ACTIVE' },
      },
    });
  });

  it('answers 503 naming the table when one is missing', async () => {
    await client.send(new DeleteTableCommand({ TableName: names.votes }));
    const res = await fetch(`${api.url}/health`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as {
      status: string;
      reason: string;
      tables: Record<string, { status: string }>;
    };
    expect(body.status).toBe('unavailable');
    expect(body.reason).toContain(names.votes);
    expect(body.reason).not.toContain(names.register);
    expect(body.tables.votes?.status).toBe('MISSING');
    expect(body.tables.register?.status).toBe('ACTIVE');
  });

  it('fails at module load, naming the variable, when the environment is incomplete', async () => {
    vi.resetModules();
    const saved = process.env.VOTES_TABLE;
    delete process.env.VOTES_TABLE;
    try {
      await expect(import('../../functions/health/handler.ts')).rejects.toThrow(/VOTES_TABLE: is not set/);
    } finally {
      process.env.VOTES_TABLE = saved;
    }
  });
});
