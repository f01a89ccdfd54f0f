// The local stand-in for API Gateway (HTTP API, payload format 2.0): a Node http server that turns
// each request into the event API Gateway would send, calls the route's Lambda handler in this
// process, and maps its result back the way API Gateway does. Binds 127.0.0.1.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { clockWithOffset } from '../config/clock.ts';
import { ORIGIN_SECRET_HEADER, VIEWER_ADDRESS_HEADER } from '../http/origin.ts';
import { type HttpHandlerModule, type HttpRoute, routeKey } from '../http/route.ts';
import { localLambdaContext } from './lambda-context.ts';
import { LOCAL_HOST } from './ports.ts';
import { checkAdminRequest, keyring, type LocalKey } from './sigv4-verify.ts';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** Past this we stop draining an oversized body and drop the connection. */
const DRAIN_LIMIT = 64 * 1024 * 1024;
/** API Gateway's integration timeout; handlers see it through context.getRemainingTimeInMillis(). */
const HANDLER_TIMEOUT_MS = 29_000;

export interface HttpAdapterOptions {
  routes: readonly HttpRoute[];
  /** 0 (the default) lets the OS pick; the bound port is returned. */
  port?: number;
  host?: string;
  /** Largest accepted request body in bytes (default 1 MiB); larger ones get 413. */
  bodyLimit?: number;
  /** Where handler failures are reported (default console.error). */
  logError?: (message: string, error: unknown) => void;
  /**
   * API Gateway's clock, stamped on each request as requestContext.timeEpoch when it arrives. By default
   * the functions' own clock (CLOCK_OFFSET_MS of the environment), so that both agree locally.
   */
  now?: () => number;
  /**
   * The operators' key pairs: routes with auth 'iam' need a SigV4 signature by a key of the route's
   * role (shared/local/sigv4-verify.ts), as API Gateway's IAM authorization does. None: every admin
   * request is refused.
   */
  adminKeys?: readonly LocalKey[];
  /**
   * The origin secret the adapter adds to public routes' requests, as CloudFront does (default: the
   * first value of ORIGIN_SECRET); false: the adapter is the API's bare endpoint, without CloudFront.
   */
  originSecret?: string | false;
}

export interface HttpAdapter {
  port: number;
  url: string;
  server: Server;
  close(): Promise<void>;
}

interface CompiledRoute {
  route: HttpRoute;
  key: string;
  pattern: RegExp;
  params: string[];
  /** Static routes win over templated ones, greedy ones come last (as in API Gateway). */
  rank: number;
}

function compile(route: HttpRoute): CompiledRoute {
  const params: string[] = [];
  let rank = 0;
  const source = route.path
    .split('/')
    .map((segment) => {
      const m = /^\{([A-Za-z0-9_.-]+)(\+?)\}$/.exec(segment);
      if (!m) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      params.push(m[1] ?? '');
      rank = Math.max(rank, m[2] ? 2 : 1);
      return m[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { route, key: routeKey(route), pattern: new RegExp(`^${source}$`), params, rank };
}

function match(
  routes: readonly CompiledRoute[],
  method: string,
  path: string,
): { compiled: CompiledRoute; pathParameters: Record<string, string> } | undefined {
  for (const compiled of routes) {
    if (compiled.route.method !== 'ANY' && compiled.route.method !== method) continue;
    const m = compiled.pattern.exec(path);
    if (!m) continue;
    const pathParameters: Record<string, string> = {};
    compiled.params.forEach((name, i) => {
      const raw = m[i + 1] ?? '';
      try {
        pathParameters[name] = decodeURIComponent(raw);
      } catch {
        pathParameters[name] = raw;
      }
    });
    return { compiled, pathParameters };
  }
  return undefined;
}

/** Content types API Gateway passes as text; everything else arrives base64-encoded. */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    /^application\/([a-z0-9.+-]+\+)?(json|xml)$/.test(type) ||
    type === 'application/x-www-form-urlencoded' ||
    type === 'application/javascript' ||
    type === 'application/graphql'
  );
}

type BodyResult = { ok: true; body: Buffer } | { ok: false };

function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(req.headers['content-length'] ?? 0) > limit;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (tooLarge) {
        chunks.length = 0;
        if (size > DRAIN_LIMIT) req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? { ok: false } : { ok: true, body: Buffer.concat(chunks) }));
    req.on('error', reject);
  });
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's requestContext.time: 12/Mar/2020:19:03:58 +0000. */
function clfTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(
    d.getUTCMinutes(),
  )}:${p(d.getUTCSeconds())} +0000`;
}

export interface EventParts {
  req: IncomingMessage;
  body: Buffer;
  routeKey: string;
  pathParameters: Record<string, string>;
  now: number;
}

/** Builds the API Gateway HTTP API payload 2.0 event for one request. */
export function toEventV2({
  req,
  body,
  routeKey: key,
  pathParameters,
  now,
}: EventParts): APIGatewayProxyEventV2 {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q >= 0 ? url.slice(0, q) : url;
  const rawQueryString = q >= 0 ? url.slice(q + 1) : '';

  // Repeated headers are joined with commas; cookies move to their own array.
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] ?? '').toLowerCase();
    const value = req.rawHeaders[i + 1] ?? '';
    if (name === 'cookie') {
      for (const c of value.split(';')) if (c.trim()) cookies.push(c.trim());
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }

  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rawQueryString)) query[k] = k in query ? `${query[k]},${v}` : v;

  const host = headers.host ?? LOCAL_HOST;
  const sourceIp = (req.socket.remoteAddress ?? LOCAL_HOST).replace(/^::ffff:/, '');
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: key,
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      http: {
        method: req.method ?? 'GET',
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomBytes(12).toString('base64'),
      routeKey: key,
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now,
    },
    isBase64Encoded: false,
  };
  if (cookies.length > 0) event.cookies = cookies;
  if (Object.keys(query).length > 0) event.queryStringParameters = query;
  if (Object.keys(pathParameters).length > 0) event.pathParameters = pathParameters;
  if (body.length > 0) {
    if (isTextContentType(headers['content-type'])) {
      event.body = body.toString('utf8');
    } else {
      event.body = body.toString('base64');
      event.isBase64Encoded = true;
    }
  }
  return event;
}

/**
 * Plays CloudFront for a public route's request: the viewer's address and port, and the origin's
 * secret header, each replacing whatever the client sent under that name (shared/http/origin.ts).
 */
export function asCloudFront(
  event: APIGatewayProxyEventV2,
  req: IncomingMessage,
  originSecret: string,
): void {
  const address = (req.socket.remoteAddress ?? LOCAL_HOST).replace(/^::ffff:/, '');
  event.headers[VIEWER_ADDRESS_HEADER] = `${address}:${req.socket.remotePort ?? 0}`;
  event.headers[ORIGIN_SECRET_HEADER] = originSecret;
}

interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

const json = (statusCode: number, value: unknown): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  cookies: [],
  body: Buffer.from(JSON.stringify(value)),
});

/** API Gateway's rules: an object with a statusCode is a structured response; anything else is a 200 JSON body. */
export function fromResult(result: unknown): HttpResponse {
  if (typeof result === 'object' && result !== null && 'statusCode' in result) {
    const r = result as {
      statusCode: unknown;
      headers?: Record<string, unknown>;
      body?: unknown;
      isBase64Encoded?: unknown;
      cookies?: unknown;
    };
    if (
      typeof r.statusCode !== 'number' ||
      !Number.isInteger(r.statusCode) ||
      r.statusCode < 100 ||
      r.statusCode > 599
    ) {
      throw new Error(`the handler returned an invalid statusCode: ${String(r.statusCode)}`);
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers ?? {}))
      if (v !== undefined) headers[k.toLowerCase()] = String(v);
    const text =
      typeof r.body === 'string' ? r.body : r.body === undefined || r.body === null ? '' : String(r.body);
    return {
      statusCode: r.statusCode,
      headers,
      cookies: Array.isArray(r.cookies) ? r.cookies.map(String) : [],
      body: r.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text),
    };
  }
  const body = typeof result === 'string' ? result : (JSON.stringify(result) ?? '');
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    cookies: [],
    body: Buffer.from(body),
  };
}

function send(res: ServerResponse, response: HttpResponse): void {
  const headers: Record<string, string | string[]> = { ...response.headers };
  if (response.cookies.length > 0) headers['set-cookie'] = response.cookies;
  headers['content-length'] = String(response.body.length);
  res.writeHead(response.statusCode, headers);
  res.end(response.body);
}

export async function startHttpAdapter(options: HttpAdapterOptions): Promise<HttpAdapter> {
  const host = options.host ?? LOCAL_HOST;
  const limit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const logError = options.logError ?? ((message, error) => console.error(message, error));
  const compiled = options.routes.map(compile).sort((a, b) => a.rank - b.rank);
  const originSecret =
    options.originSecret === false
      ? null
      : (options.originSecret ?? process.env.ORIGIN_SECRET?.split(',')[0]?.trim() ?? null);
  const modules = new Map<string, Promise<HttpHandlerModule>>();
  const keys = keyring(options.adminKeys ?? []);
  /** The Host values a signature may name: this server's address (set once it listens). */
  const hosts: string[] = [];

  const load = (route: HttpRoute): Promise<HttpHandlerModule> => {
    let loading = modules.get(route.function);
    if (!loading) {
      loading = route.handler();
      modules.set(route.function, loading);
      // A failed init is retried on the next request, as Lambda retries a failed cold start.
      loading.catch(() => modules.delete(route.function));
    }
    return loading;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Signatures are dated by the signer's real clock; the meeting's instants by the functions' clock.
    const realNow = Date.now();
    const now = options.now
      ? options.now()
      : clockWithOffset(Number(process.env.CLOCK_OFFSET_MS ?? 0) || undefined, () => realNow)();
    const read = await readBody(req, limit);
    if (!read.ok) {
      send(
        res,
        json(413, {
          error: { code: 'payload_too_large', message: `The request body exceeds ${limit} bytes` },
        }),
      );
      return;
    }
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const found = match(compiled, method, path);
    if (!found) {
      send(res, json(404, { error: { code: 'not_found', message: `No route for ${method} ${path}` } }));
      return;
    }
    const { compiled: route, pathParameters } = found;
    try {
      const event = toEventV2({ req, body: read.body, routeKey: route.key, pathParameters, now });
      if (route.route.auth === 'iam') {
        const check = await checkAdminRequest(
          {
            method,
            path,
            rawQueryString: event.rawQueryString,
            headers: event.headers as Record<string, string>,
            body: read.body,
          },
          route.route,
          keys,
          hosts,
          realNow,
        );
        if (!check.ok) {
          send(res, json(check.status, { error: check.error }));
          return;
        }
        (event.requestContext as { authorizer?: unknown }).authorizer = { iam: check.iam };
      } else if (originSecret) asCloudFront(event, req, originSecret);
      const mod = await load(route.route);
      const result = await mod.handler(
        event,
        localLambdaContext(route.route.function, {
          region: process.env.AWS_REGION ?? 'us-east-1',
          memoryLimitInMB: '1024',
          timeoutMs: HANDLER_TIMEOUT_MS,
        }),
      );
      send(res, fromResult(result));
    } catch (error) {
      logError(`[${route.key}] the handler failed:`, error);
      send(res, json(500, { message: 'Internal Server Error' }));
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      logError('[http-adapter] request failed:', error);
      if (!res.headersSent) send(res, json(500, { message: 'Internal Server Error' }));
      else res.destroy();
    });
  });
  // Keep idle connections longer than a slow request takes: with Node's 5 s default, a client's
  // keep-alive pool can send a request on a socket the server is closing at that instant ("socket hang
  // up"), which a client sees when some requests of a batch are slow.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port ?? 0, host, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  hosts.push(`${host}:${port}`);
  if (host === LOCAL_HOST) hosts.push(`localhost:${port}`);
  return {
    port,
    url: `http://${host}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
