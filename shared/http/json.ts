// JSON over the HTTP API: reading a request body under a size limit and a content type, and the one
// shape of every error answer: { "error": { "code", "message", "fields": [{ "path", "message" }] } }.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { z } from 'zod';

export interface FieldProblem {
  path: string;
  message: string;
}

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...SECURITY_HEADERS },
    body: JSON.stringify(body),
  };
}

export function html(statusCode: number, body: string, csp: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': csp,
      'x-frame-options': 'DENY',
      ...SECURITY_HEADERS,
    },
    body,
  };
}

export function errorResponse(e: HttpError): APIGatewayProxyStructuredResultV2 {
  return json(e.statusCode, { error: { code: e.code, message: e.message, fields: e.fields } });
}

/** Parse a JSON body with a zod schema: 415 for another content type, 413 above `maxBytes`, 400 naming each bad field. */
export function parseJsonBody<T extends z.ZodType>(
  event: APIGatewayProxyEventV2,
  schema: T,
  maxBytes = 16_384,
): z.infer<T> {
  const type = (event.headers?.['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(415, 'unsupported_media_type', 'Send the request as application/json.', [
      { path: 'content-type', message: 'must be application/json' },
    ]);
  }
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > maxBytes) {
    throw new HttpError(413, 'payload_too_large', `The request body is larger than ${maxBytes} bytes.`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, 'invalid_body', 'The request body is not valid UTF-8.', [
      { path: '(body)', message: 'is not valid UTF-8' },
    ]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_body', 'The request body is not valid JSON.', [
      { path: '(body)', message: 'is not valid JSON' },
    ]);
  }
  const proto = protoKeyPath(value);
  if (proto !== null) {
    throw new HttpError(400, 'invalid_request', 'The request has fields that are missing or wrong.', [
      { path: proto, message: 'the key "__proto__" is not allowed' },
    ]);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new HttpError(
      400,
      'invalid_request',
      'The request has fields that are missing or wrong.',
      parsed.error.issues.map((i) => ({
        path: i.path.length ? i.path.join('.') : '(body)',
        message: i.message,
      })),
    );
  }
  return parsed.data;
}

/**
 * The path of the first "__proto__" key in a parsed JSON value, or null. JSON.parse keeps such a key
 * as an own property, but zod's records and objects drop it without a word: `{"votes":{"__proto__":…}}`
 * would become a blank card (voted as the board recommends) instead of an unknown proposal refused.
 * Iterative, so that the deepest body the size limit allows cannot overflow the stack.
 */
function protoKeyPath(root: unknown): string | null {
  const nodes: Array<{ value: object; parent: number; key: string }> = [];
  if (root !== null && typeof root === 'object') nodes.push({ value: root, parent: -1, key: '' });
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as (typeof nodes)[number];
    for (const [key, v] of Object.entries(node.value)) {
      if (key === '__proto__') {
        const path = [key];
        for (let p: number = i; p > 0; p = (nodes[p] as (typeof nodes)[number]).parent)
          path.unshift((nodes[p] as (typeof nodes)[number]).key);
        return path.join('.');
      }
      if (v !== null && typeof v === 'object') nodes.push({ value: v, parent: i, key });
    }
  }
  return null;
}

/** The query string, checked against a schema: 400 naming each parameter that is wrong. */
export function parseQuery<T extends z.ZodType>(event: APIGatewayProxyEventV2, schema: T): z.infer<T> {
  const parsed = schema.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success)
    throw new HttpError(
      400,
      'invalid_request',
      'The query string has parameters that are wrong.',
      parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(query)', message: i.message })),
    );
  return parsed.data;
}
