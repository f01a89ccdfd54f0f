// The local HTTP adapter hands handlers a faithful API Gateway HTTP API (payload 2.0) event and maps
// their results back as API Gateway does.
import { request as httpRequest } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpHandler, HttpRoute } from '../../shared/http/route.ts';
import { DEFAULT_BODY_LIMIT, type HttpAdapter, startHttpAdapter } from '../../shared/local/http-adapter.ts';

const events: APIGatewayProxyEventV2[] = [];
const results = new Map<string, unknown>();

const echo: HttpHandler = async (event) => {
  events.push(event);
  const preset = results.get(event.rawPath);
  if (preset instanceof Error) throw preset;
  if (preset !== undefined) return preset;
  return {
    statusCode: 201,
    headers: { 'Content-Type': 'application/json', 'X-Route': event.routeKey },
    cookies: ['session=abc; Path=/; HttpOnly', 'theme=dark'],
    body: JSON.stringify({ ok: true }),
  };
};

const route = (method: HttpRoute['method'], path: string): HttpRoute => ({
  method,
  path,
  function: 'echo',
  handler: async () => ({ handler: echo }),
});

let api: HttpAdapter;

beforeAll(async () => {
  api = await startHttpAdapter({
    routes: [
      route('POST', '/items/{id}'),
      route('GET', '/result/{kind}'),
      route('GET', '/files/{path+}'),
      route('PUT', '/raw'),
    ],
    port: 0,
    logError: () => {},
  });
});

afterAll(async () => {
  await api?.close();
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request with full control over headers (repeated ones, Cookie) and the body bytes. */
function send(
  method: string,
  path: string,
  headers: Record<string, string | string[]> = {},
  body?: Buffer,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: api.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const lastEvent = (): APIGatewayProxyEventV2 => {
  const e = events.at(-1);
  if (!e) throw new Error('the handler was not called');
  return e;
};

describe('the event a handler receives', () => {
  it('carries method, path, query, lower-cased headers, cookies and a text body as API Gateway sends them', async () => {
    const before = Date.now();
    const res = await send(
      'POST',
      '/items/abc%20d?x=1&y=two%20words&x=3',
      {
        'Content-Type': 'application/json; charset=utf-8',
        'X-Custom-Header': 'Yes',
        'X-Dup': ['a', 'b'],
        Cookie: 'c1=v1; c2=v2',
        'User-Agent': 'adapter-test/1.0',
      },
      Buffer.from('{"a":"é"}'),
    );
    expect(res.status).toBe(201);
    const e = lastEvent();
    expect(e.version).toBe('2.0');
    expect(e.routeKey).toBe('POST /items/{id}');
    expect(e.rawPath).toBe('/items/abc%20d');
    expect(e.rawQueryString).toBe('x=1&y=two%20words&x=3');
    expect(e.queryStringParameters).toEqual({ x: '1,3', y: 'two words' });
    expect(e.pathParameters).toEqual({ id: 'abc d' });
    expect(e.headers['x-custom-header']).toBe('Yes');
    expect(e.headers['x-dup']).toBe('a,b');
    expect(e.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Object.keys(e.headers).every((k) => k === k.toLowerCase())).toBe(true);
    expect(e.headers.cookie).toBeUndefined();
    expect(e.cookies).toEqual(['c1=v1', 'c2=v2']);
    expect(e.requestContext.http).toEqual({
      method: 'POST',
      path: '/items/abc%20d',
      protocol: 'HTTP/1.1',
      sourceIp: '127.0.0.1',
      userAgent: 'adapter-test/1.0',
    });
    expect(e.requestContext.routeKey).toBe('POST /items/{id}');
    expect(e.requestContext.stage).toBe('$default');
    expect(e.requestContext.requestId).toMatch(/\S{8,}/);
    expect(e.requestContext.timeEpoch).toBeGreaterThanOrEqual(before);
    expect(e.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(e.isBase64Encoded).toBe(false);
    expect(e.body).toBe('{"a":"é"}');
  });

  it('gives each request its own requestId', async () => {
    await send('GET', '/result/none');
    const first = lastEvent().requestContext.requestId;
    await send('GET', '/result/none');
    expect(lastEvent().requestContext.requestId).not.toBe(first);
  });

  it('base64-encodes a binary body and flags it', async () => {
    const bytes = Buffer.from([0, 255, 1, 254, 10, 13, 0x80, 0x7f]);
    await send('PUT', '/raw', { 'Content-Type': 'application/octet-stream' }, bytes);
    const e = lastEvent();
    expect(e.isBase64Encoded).toBe(true);
    expect(Buffer.from(e.body ?? '', 'base64').equals(bytes)).toBe(true);
  });

  it('has no body, no query and no cookies when the request has none', async () => {
    await send('GET', '/result/none');
    const e = lastEvent();
    expect(e.body).toBeUndefined();
    expect(e.isBase64Encoded).toBe(false);
    expect(e.rawQueryString).toBe('');
    expect(e.queryStringParameters).toBeUndefined();
    expect(e.cookies).toBeUndefined();
  });

  it('matches greedy path parameters', async () => {
    await send('GET', '/files/a/b/c.txt');
    expect(lastEvent().pathParameters).toEqual({ path: 'a/b/c.txt' });
    expect(lastEvent().routeKey).toBe('GET /files/{path+}');
  });
});

describe('the response', () => {
  it('maps statusCode, headers and cookies of a structured result', async () => {
    const res = await send('POST', '/items/1', { 'Content-Type': 'application/json' }, Buffer.from('{}'));
    expect(res.status).toBe(201);
    expect(res.headers['x-route']).toBe('POST /items/{id}');
    expect(res.headers['set-cookie']).toEqual(['session=abc; Path=/; HttpOnly', 'theme=dark']);
    expect(JSON.parse(res.body.toString())).toEqual({ ok: true });
  });

  it('treats a string result as a 200 JSON body', async () => {
    results.set('/result/string', 'Hello from Lambda!');
    const res = await send('GET', '/result/string');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body.toString()).toBe('Hello from Lambda!');
  });

  it('treats an object without statusCode as a 200 JSON body', async () => {
    results.set('/result/object', { message: 'hi', n: 1 });
    const res = await send('GET', '/result/object');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.body.toString())).toEqual({ message: 'hi', n: 1 });
  });

  it('decodes a base64 result body', async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]);
    results.set('/result/binary', {
      statusCode: 200,
      headers: { 'content-type': 'image/png' },
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    });
    const res = await send('GET', '/result/binary');
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.body.equals(bytes)).toBe(true);
  });

  it('answers 500 like API Gateway when the handler throws', async () => {
    results.set('/result/throw', new Error('boom'));
    const res = await send('GET', '/result/throw');
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body.toString())).toEqual({ message: 'Internal Server Error' });
  });
});

describe('routing and limits', () => {
  it('answers 404 JSON for an unknown path or method, without calling a handler', async () => {
    const calls = events.length;
    for (const [method, path] of [
      ['GET', '/nope'],
      ['DELETE', '/items/1'],
      ['GET', '/items'],
    ] as const) {
      const res = await send(method, path);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toBe('application/json');
      const body = JSON.parse(res.body.toString());
      expect(body.error.code).toBe('not_found');
      expect(body.error.message).toContain(path);
    }
    expect(events.length).toBe(calls);
  });

  it('answers 413 for a body above 1 MiB before calling the handler', async () => {
    const calls = events.length;
    const res = await send(
      'PUT',
      '/raw',
      { 'Content-Type': 'application/octet-stream' },
      Buffer.alloc(DEFAULT_BODY_LIMIT + 1, 7),
    );
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body.toString()).error.code).toBe('payload_too_large');
    expect(events.length).toBe(calls);
  });

  it('answers 413 for an oversized chunked body too', async () => {
    const calls = events.length;
    const res = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: api.port,
          method: 'PUT',
          path: '/raw',
          headers: { 'Transfer-Encoding': 'chunked' },
        },
        (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 17; i++) req.write(Buffer.alloc(64 * 1024, i));
      req.end();
    });
    expect(res).toBe(413);
    expect(events.length).toBe(calls);
  });

  it('accepts a body of exactly 1 MiB', async () => {
    const bytes = Buffer.alloc(DEFAULT_BODY_LIMIT, 3);
    const res = await send('PUT', '/raw', { 'Content-Type': 'application/octet-stream' }, bytes);
    expect(res.status).toBe(201);
    expect(Buffer.from(lastEvent().body ?? '', 'base64').length).toBe(DEFAULT_BODY_LIMIT);
  });

  it('binds 127.0.0.1 on the port the OS chose', () => {
    const address = api.server.address();
    expect(typeof address === 'object' && address?.address).toBe('127.0.0.1');
    expect(api.port).toBeGreaterThan(0);
    expect(api.url).toBe(`http://127.0.0.1:${api.port}`);
  });
});
