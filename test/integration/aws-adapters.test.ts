// The AWS adapters that replaced the hand-signed calls, against real endpoints: the S3 adapter against
// s3rver (which parses the SigV4 Authorization header and refuses an unknown access key; it does not
// verify V4 signatures themselves), and the Lambda switch of the notice
// consumer against a local HTTP server speaking the Lambda API's event-source-mapping routes.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findFreePort, LOCAL_HOST } from '../../shared/local/ports.ts';
import { EventSourceMappingSwitch } from '../../shared/notices/aws-switch.ts';
import { S3ObjectStore, s3Client } from '../../shared/notices/s3.ts';

describe('the S3 adapter (s3rver)', () => {
  const client = s3Client({ endpoint: inject('s3Endpoint') });
  const bucket = `adapters-${randomBytes(4).toString('hex')}`;
  beforeAll(async () => {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  afterAll(() => client.destroy());

  it('puts and gets an object under a key with spaces, "+" and non-ASCII text, unchanged', async () => {
    const store = new S3ObjectStore(bucket, client);
    const key = 'register/Q2 register+final é.csv';
    const body = 'account,name\r\nA-1,Zoë Müller\r\n';
    expect(await store.put(key, body, 'text/csv; charset=utf-8')).toBe(`s3://${bucket}/${key}`);
    expect(await store.get(key)).toBe(body);
  });

  it('sends a SigV4 Authorization header: an unknown access key is refused by name', async () => {
    const wrong = new S3Client({
      endpoint: inject('s3Endpoint'),
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'NOT-A-KEY', secretAccessKey: 'S3RVER' },
    });
    try {
      await expect(
        new S3ObjectStore(bucket, wrong).put('register/x.csv', 'x', 'text/csv'),
      ).rejects.toMatchObject({
        name: 'InvalidAccessKeyId',
      });
    } finally {
      wrong.destroy();
    }
  });
});

describe('the notice consumer switch (Lambda event source mapping)', () => {
  let server: Server;
  let endpoint: string;
  let state = 'Disabled';
  const requests: { method: string; path: string; body: string; signed: boolean }[] = [];

  beforeAll(async () => {
    const port = await findFreePort();
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        const signed = /^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/us-east-1\/lambda\/aws4_request/.test(
          String(req.headers.authorization),
        );
        requests.push({ method: req.method ?? '', path: req.url ?? '', body, signed });
        if (req.method === 'PUT' && JSON.parse(body || '{}').Enabled === true) state = 'Enabling';
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ UUID: 'mapping-1', State: state }));
      });
    });
    await new Promise<void>((resolve) => server.listen(port, LOCAL_HOST, resolve));
    endpoint = `http://${LOCAL_HOST}:${port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('enables a disabled mapping once, signed; a second start finds it started and changes nothing', async () => {
    const sw = new EventSourceMappingSwitch('mapping-1', { endpoint });
    expect(await sw.start()).toEqual({ alreadyStarted: false });
    expect(await sw.start()).toEqual({ alreadyStarted: true });
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /2015-03-31/event-source-mappings/mapping-1',
      'PUT /2015-03-31/event-source-mappings/mapping-1',
      'GET /2015-03-31/event-source-mappings/mapping-1',
    ]);
    expect(JSON.parse(requests[1]?.body ?? '{}')).toEqual({ Enabled: true });
    expect(requests.every((r) => r.signed)).toBe(true);
  });
});
