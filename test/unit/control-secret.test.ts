// The control-number secret on AWS: fetched from Secrets Manager at cold start when only its ARN is
// given, never when CONTROL_SECRET is set (the local path), and refused when malformed. The real SDK
// client talks to a small stand-in for the Secrets Manager endpoint.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  controlSecretAtColdStart,
  fetchControlSecret,
  withControlSecret,
} from '../../shared/config/secret.ts';

const ARN =
  'arn:aws:secretsmanager:us-west-2:123456789012:secret:proxyvote/hemacare-2002/control-secret-AbCdEf';
const SECRET = 'a1'.repeat(32);

let server: Server;
let client: SecretsManagerClient;
let stored = SECRET;
const requests: { target: string; body: { SecretId?: string } }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      requests.push({ target: String(req.headers['x-amz-target']), body: JSON.parse(body || '{}') });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ ARN, Name: 'proxyvote/hemacare-2002/control-secret', SecretString: stored }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new SecretsManagerClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-west-2',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});

afterAll(async () => {
  client.destroy();
  await new Promise((resolve) => server.close(resolve));
});

describe('the control-number secret', () => {
  it('is read by its ARN with GetSecretValue', async () => {
    requests.length = 0;
    await expect(fetchControlSecret(ARN, client)).resolves.toEqual({ arn: ARN, value: SECRET });
    expect(requests).toEqual([{ target: 'secretsmanager.GetSecretValue', body: { SecretId: ARN } }]);
  });

  it('is fetched at cold start only when CONTROL_SECRET is absent and CONTROL_SECRET_ARN present', async () => {
    requests.length = 0;
    await expect(
      controlSecretAtColdStart({ CONTROL_SECRET: SECRET, CONTROL_SECRET_ARN: ARN }, client),
    ).resolves.toBe(undefined);
    await expect(controlSecretAtColdStart({}, client)).resolves.toBe(undefined);
    await expect(controlSecretAtColdStart({ CONTROL_SECRET_ARN: ' ' }, client)).resolves.toBe(undefined);
    expect(requests).toHaveLength(0);
    await expect(controlSecretAtColdStart({ CONTROL_SECRET_ARN: ARN }, client)).resolves.toEqual({
      arn: ARN,
      value: SECRET,
    });
    expect(requests).toHaveLength(1);
  });

  it('fills CONTROL_SECRET in for the ARN it was fetched for, and leaves a set CONTROL_SECRET alone', () => {
    const fetched = { arn: ARN, value: SECRET };
    expect(withControlSecret({ CONTROL_SECRET_ARN: ARN, MAIL_FROM: 'x' }, fetched)).toEqual({
      CONTROL_SECRET_ARN: ARN,
      MAIL_FROM: 'x',
      CONTROL_SECRET: SECRET,
    });
    expect(withControlSecret({ CONTROL_SECRET: 'local' }, fetched)).toEqual({ CONTROL_SECRET: 'local' });
    expect(withControlSecret({ CONTROL_SECRET_ARN: `${ARN}-other` }, fetched)).toEqual({
      CONTROL_SECRET_ARN: `${ARN}-other`,
    });
    expect(withControlSecret({ CONTROL_SECRET_ARN: ARN }, undefined)).toEqual({ CONTROL_SECRET_ARN: ARN });
  });

  it('refuses a malformed secret, naming the ARN and never the value', async () => {
    stored = 'not-hex-and-too-short';
    try {
      const error = await fetchControlSecret(ARN, client).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).toContain(ARN);
      expect(error?.message).toMatch(/64 lower-case hex digits/);
      expect(error?.message).not.toContain(stored);
    } finally {
      stored = SECRET;
    }
  });
});
