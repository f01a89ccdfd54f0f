// Generators (fast-check) of hostile requests for the public endpoints: bodies that are not JSON,
// not UTF-8, too large, too deep, of another content type; objects with unknown and prototype-polluting
// keys, huge, negative and fractional numbers, unknown proposals and nominees; and, mixed in, valid
// requests, so that the accepting paths are exercised too.
import fc from 'fast-check';
import { luhnCheckDigit } from '../../../shared/domain/control-number.ts';
import type { Holder } from '../../../shared/domain/holder.ts';
import type { RawRequest } from './raw-http.ts';
import { NOMINEES } from './workload.ts';

export const POLLUTING = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];

export const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.constantFrom(
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    'Eve\r\nBcc: victim@example.com',
    'Eve\nSubject: hi',
    '\u0000',
    '\ud800',
    '\udfff x',
    '\u202eevil',
    '\ufeff',
    '\u2028',
    "'; DROP TABLE votes; --",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, on purpose
    '${7*7}',
    '{{constructor.constructor("x")()}}',
    ...POLLUTING,
    'A'.repeat(5_000),
  ),
);

/** A number that JSON can carry and a schema might mishandle. */
export const hostileNumber = fc.oneof(
  fc.integer({ min: -1_000, max: 2_000_000 }),
  fc.constantFrom(
    -1,
    -0,
    0.5,
    -0.5,
    1.5,
    1e308,
    -1e308,
    1e21,
    2 ** 53,
    2 ** 53 + 2,
    Number.MAX_SAFE_INTEGER,
    5e-324,
  ),
  fc.double({ noNaN: true }),
  fc.string({ maxLength: 8 }),
);

const choice = fc.constantFrom('FOR', 'AGAINST', 'ABSTAIN', 'WITHHOLD', 'for', '', 'YES', 'NONE');
const split = fc.dictionary(
  fc.constantFrom('FOR', 'AGAINST', 'ABSTAIN', 'WITHHOLD', 'x', ...POLLUTING),
  hostileNumber,
  {
    maxKeys: 4,
  },
);
const nomineeId = fc.oneof(
  fc.constantFrom(...NOMINEES),
  fc.constantFrom('nobody', ...POLLUTING),
  fc.string({ maxLength: 12 }),
);
const election = fc.record(
  {
    marks: fc.dictionary(nomineeId, fc.oneof(choice, split, fc.anything({ maxDepth: 2 })), { maxKeys: 7 }),
    allocation: fc.dictionary(nomineeId, hostileNumber, { maxKeys: 6 }),
    extra: fc.anything({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);
const proposalId = fc.oneof(
  fc.constantFrom('1', '2'),
  fc.constantFrom('3', '0', '01', ' 1', ...POLLUTING),
  fc.string({ maxLength: 8 }),
);
export const hostileVotes = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.dictionary(proposalId, fc.oneof(choice, split, election, fc.anything({ maxDepth: 2 })), {
      maxKeys: 4,
    }),
  },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
);

/** Valid votes for a holder: what the ballot page would send. */
export function validVotes(h: Holder): fc.Arbitrary<Record<string, unknown>> {
  if (h.nominee) {
    return fc.tuple(fc.nat(h.shares), fc.nat(h.shares), fc.constantFrom(...NOMINEES)).map(([a, b, n]) => ({
      '1': { marks: { [n]: 'FOR' } },
      '2': { FOR: Math.min(a, h.shares - Math.min(b, h.shares)), AGAINST: Math.min(b, h.shares) },
    }));
  }
  return fc
    .tuple(
      fc.constantFrom('FOR', 'AGAINST', 'ABSTAIN'),
      fc.option(fc.constantFrom(...NOMINEES), { nil: undefined }),
    )
    .map(([c, w]) => (w ? { '1': { marks: { [w]: 'WITHHOLD' } }, '2': c } : { '2': c }));
}

// Unbiased: fast-check otherwise favours special strings ("propertyIsEnumerable"), which repeat.
export const freshKey = fc.noBias(fc.stringMatching(/^[A-Za-z0-9]{24}$/));

export function controlNumbers(issued: readonly string[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...issued) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(...issued)
        .map((n) => `${n.slice(0, 4)} ${n.slice(4, 8)}-${n.slice(8, 12)} ${n.slice(12)}`),
    },
    // Well-formed numbers nobody holds: 401, and a failure counted against the address.
    { weight: 2, arbitrary: fc.stringMatching(/^\d{15}$/).map((p) => `${p}${luhnCheckDigit(p)}`) },
    { weight: 1, arbitrary: fc.stringMatching(/^\d{16}$/) },
    { weight: 2, arbitrary: hostileText },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
  );
}

const REUSED_KEYS = ['reused-key-0001', 'reused-key-0002', 'reused-key-0003'];
export const idempotencyKeys = fc.oneof(
  { weight: 4, arbitrary: freshKey },
  { weight: 2, arbitrary: fc.constantFrom(...REUSED_KEYS) },
  { weight: 2, arbitrary: hostileText },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 1 }) },
);

/** An object body: the fields the endpoint knows, hostile values, sometimes unknown or polluting keys. */
export function objectBody(
  fields: Record<string, fc.Arbitrary<unknown>>,
): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(
      fc.record(fields, { requiredKeys: [] }),
      fc.dictionary(
        fc.oneof(fc.constantFrom(...POLLUTING), fc.string({ maxLength: 10 })),
        fc.anything({ maxDepth: 2 }),
        {
          maxKeys: 2,
        },
      ),
      fc.boolean(),
    )
    .map(([known, extra, addExtra]) => (addExtra ? { ...known, ...extra } : known));
}

// ---------------------------------------------------------------------------------------------------
// Turning a body into bytes, with the ways a body can be broken.

const INVALID_UTF8 = [
  [0xff],
  [0xfe, 0xff],
  [0xc0, 0x80], // overlong NUL
  [0x80], // lone continuation byte
  [0xe2, 0x82], // truncated sequence
  [0xed, 0xa0, 0x80], // an encoded surrogate
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
];

/**
 * JSON text of a value with `"key": inner` added as the first member of one of its objects (the
 * `target`-th in document order), so that the key is really in the text the server parses: objects
 * built in JavaScript cannot hold an own "__proto__" key the way JSON.parse makes one.
 */
export function stringifyInjecting(value: unknown, target: number, key: string, inner: string): string {
  let objects = 0;
  const count = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(count);
    else if (v && typeof v === 'object') {
      objects += 1;
      Object.values(v).forEach(count);
    }
  };
  count(value);
  if (objects === 0) return `{${JSON.stringify(key)}:${inner},"value":${JSON.stringify(value) ?? 'null'}}`;
  const at = target % objects;
  let index = 0;
  const skip = (x: unknown) => x === undefined || typeof x === 'function' || typeof x === 'symbol';
  const ser = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map((x) => (skip(x) ? 'null' : ser(x))).join(',')}]`;
    if (v && typeof v === 'object') {
      const mine = index++ === at;
      const members = Object.entries(v)
        .filter(([, x]) => !skip(x))
        .map(([k, x]) => `${JSON.stringify(k)}:${ser(x)}`);
      if (mine) members.unshift(`${JSON.stringify(key)}:${inner}`);
      return `{${members.join(',')}}`;
    }
    return JSON.stringify(v) ?? 'null';
  };
  return ser(value);
}

interface Encoded {
  body: Buffer | null;
  shape: string;
  /** The JSON text the server will read, when it is valid UTF-8 JSON (for the request's oracle). */
  json: unknown;
  parsed: boolean;
}

function encodeJson(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/** The body of a request made from a generated value, and how it was broken (if at all). */
export function encodings(value: fc.Arbitrary<unknown>): fc.Arbitrary<Encoded> {
  const plain = value.map((v): Encoded => {
    const text = encodeJson(v);
    return { body: Buffer.from(text), shape: 'json', json: JSON.parse(text), parsed: true };
  });
  const polluted = fc
    .tuple(
      value,
      fc.nat(20),
      fc.constantFrom(...POLLUTING),
      fc.constantFrom('{"FOR":1}', '"FOR"', '{"polluted":true}', '[]', 'null'),
    )
    .map(([v, where, key, inner]): Encoded => {
      const text = stringifyInjecting(v, where, key, inner);
      return { body: Buffer.from(text), shape: `polluted:${key}`, json: JSON.parse(text), parsed: true };
    });
  const truncated = fc.tuple(value, fc.nat()).map(([v, cut]): Encoded => {
    const text = encodeJson(v);
    return {
      body: Buffer.from(text.slice(0, cut % Math.max(text.length, 1))),
      shape: 'truncated',
      json: null,
      parsed: false,
    };
  });
  const brokenUtf8 = fc
    .tuple(value, fc.nat(), fc.constantFrom(...INVALID_UTF8))
    .map(([v, at, bad]): Encoded => {
      const bytes = Buffer.from(encodeJson(v));
      const i = at % (bytes.length + 1);
      return {
        body: Buffer.concat([bytes.subarray(0, i), Buffer.from(bad), bytes.subarray(i)]),
        shape: 'broken-utf8',
        json: null,
        parsed: false,
      };
    });
  const randomBytes = fc
    .uint8Array({ maxLength: 300 })
    .map((b): Encoded => ({ body: Buffer.from(b), shape: 'random-bytes', json: null, parsed: false }));
  const deep = fc
    .tuple(fc.integer({ min: 50, max: 20_000 }), fc.constantFrom('array', 'object', 'votes'))
    .map(([depth, kind]): Encoded => {
      const inner =
        kind === 'array'
          ? `${'['.repeat(depth)}${']'.repeat(depth)}`
          : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      const text =
        kind === 'votes'
          ? `{"controlNumber":"1","idempotencyKey":"deep-nesting-01","votes":{"2":${inner}}}`
          : inner;
      return { body: Buffer.from(text), shape: `deep:${kind}`, json: null, parsed: false };
    });
  const hugeNumbers = fc
    .constantFrom(
      '{"controlNumber":1e400}',
      '{"controlNumber":"1","idempotencyKey":"huge-number-01","votes":{"2":{"FOR":123456789012345678901234567890}}}',
      '{"controlNumber":"1","idempotencyKey":"huge-number-02","votes":{"2":{"FOR":-1e400}}}',
      '{"controlNumber":"1","idempotencyKey":"huge-number-03","votes":{"1":{"allocation":{"johnson":1e309}}}}',
      '{"kind":"paper-proxy","account":"FZ-1","entryKey":"huge-number-04","dated":"2002-06-01","signedBy":"x","votes":{"2":{"FOR":9007199254740993}}}',
      '{"controlNumber":0.0000000000000000000000000001}',
      '-0',
      '1e999999',
      'NaN',
      'Infinity',
    )
    .map((text): Encoded => ({ body: Buffer.from(text), shape: 'huge-number', json: null, parsed: false }));
  const oversized = fc.tuple(value, fc.integer({ min: 16_385, max: 60_000 })).map(([v, size]): Encoded => {
    const text = encodeJson({ padding: 'x'.repeat(size), value: v });
    return { body: Buffer.from(text), shape: 'oversized', json: null, parsed: false };
  });
  const beyondAdapter = fc.integer({ min: 1024 * 1024 + 1, max: 1024 * 1024 + 4096 }).map(
    (size): Encoded => ({
      body: Buffer.alloc(size, 0x7b),
      shape: 'oversized>1MiB',
      json: null,
      parsed: false,
    }),
  );
  const empty = fc.constantFrom<Encoded>(
    { body: null, shape: 'no-body', json: null, parsed: false },
    { body: Buffer.alloc(0), shape: 'empty', json: null, parsed: false },
    { body: Buffer.from('\ufeff{}'), shape: 'bom', json: null, parsed: false },
    { body: Buffer.from('{}'), shape: 'empty-object', json: {}, parsed: true },
  );
  return fc.oneof(
    { weight: 30, arbitrary: plain },
    { weight: 8, arbitrary: polluted },
    { weight: 4, arbitrary: truncated },
    { weight: 4, arbitrary: brokenUtf8 },
    { weight: 2, arbitrary: randomBytes },
    { weight: 3, arbitrary: deep },
    { weight: 2, arbitrary: hugeNumbers },
    { weight: 3, arbitrary: oversized },
    {
      weight: 1,
      arbitrary: fc.oneof({ weight: 9, arbitrary: empty }, { weight: 1, arbitrary: beyondAdapter }),
    },
  );
}

// Header values Node's HTTP client accepts: tab, printable ASCII and Latin-1.
const headerValue = fc.string({
  unit: fc.oneof(
    { weight: 20, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
    { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)) },
    { weight: 1, arbitrary: fc.constant('\t') },
  ),
  maxLength: 60,
});

export const contentTypes = fc.oneof(
  { weight: 30, arbitrary: fc.constant<string | null>('application/json') },
  {
    weight: 8,
    arbitrary: fc.constantFrom<string | null>(
      'application/json; charset=utf-8',
      'Application/JSON',
      'application/json;charset=latin1',
      'text/plain',
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=xyz',
      'application/json-patch+json',
      'application/jsonx',
      'application/xml',
      'application/octet-stream',
      'text/html',
      '',
      null,
    ),
  },
  { weight: 1, arbitrary: headerValue },
);

export interface GeneratedRequest extends RawRequest {
  /** 'valid': made by the endpoint's valid generator and sent as JSON; 'hostile': anything else. */
  origin: 'valid' | 'hostile';
  /** How the body was made (json, polluted:__proto__, broken-utf8, deep:array, oversized, ...). */
  shape: string;
  /** The content type says JSON (what the API requires). */
  jsonContentType: boolean;
  /** The body as the server's JSON.parse will see it, when it is valid UTF-8 JSON; else undefined. */
  json: unknown;
}

/**
 * Requests to one endpoint: valid bodies (sent as JSON, to be accepted) mixed with hostile ones, each
 * encoded as JSON or broken in one of the ways above, under one of many content types.
 */
export function requests(
  method: string,
  path: string,
  bodies: { valid?: fc.Arbitrary<unknown>; hostile: fc.Arbitrary<unknown> },
  headers: fc.Arbitrary<Record<string, string>> = fc.constant({}),
): fc.Arbitrary<GeneratedRequest> {
  const valid = bodies.valid?.map((v) => ({
    origin: 'valid' as const,
    encoded: { body: Buffer.from(JSON.stringify(v)), shape: 'valid', json: v, parsed: true } as Encoded,
    type: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'Application/JSON'),
  }));
  const hostile = encodings(bodies.hostile).map((encoded) => ({
    origin: 'hostile' as const,
    encoded,
    type: contentTypes,
  }));
  const either = valid
    ? fc.oneof({ weight: 1, arbitrary: valid }, { weight: 4, arbitrary: hostile })
    : hostile;
  return either.chain(({ origin, encoded, type }) =>
    fc.tuple(type, headers).map(([t, extra]): GeneratedRequest => {
      const h: Record<string, string> = { ...extra };
      if (t !== null) h['content-type'] = t;
      const jsonContentType = t !== null && t.split(';')[0]?.trim().toLowerCase() === 'application/json';
      return {
        method,
        path,
        headers: h,
        body: encoded.body,
        origin,
        shape: encoded.shape,
        jsonContentType,
        json: encoded.parsed ? encoded.json : undefined,
      };
    }),
  );
}

/** Keys the meeting does not know, anywhere in a votes object: unknown proposals, nominees, choices. */
export function unknownVoteKeys(votes: unknown): string[] {
  if (!votes || typeof votes !== 'object' || Array.isArray(votes)) return [];
  const out: string[] = [];
  for (const [proposal, vote] of Object.entries(votes)) {
    if (proposal !== '1' && proposal !== '2') out.push(`votes.${proposal}`);
    if (!vote || typeof vote !== 'object' || Array.isArray(vote)) continue;
    for (const [k, inner] of Object.entries(vote)) {
      if (k === 'marks' || k === 'allocation') {
        if (!inner || typeof inner !== 'object') continue;
        for (const [n, mark] of Object.entries(inner)) {
          if (!(NOMINEES as readonly string[]).includes(n)) out.push(`votes.${proposal}.${k}.${n}`);
          if (mark && typeof mark === 'object' && !Array.isArray(mark)) {
            for (const c of Object.keys(mark))
              if (!['FOR', 'WITHHOLD', 'AGAINST'].includes(c)) out.push(`votes.${proposal}.${k}.${n}.${c}`);
          }
        }
      } else if (!['FOR', 'AGAINST', 'ABSTAIN'].includes(k)) out.push(`votes.${proposal}.${k}`);
    }
  }
  return out;
}

/** Own keys named like Object.prototype's members, anywhere in a parsed JSON value. */
export function pollutingKeys(value: unknown, path = ''): string[] {
  if (!value || typeof value !== 'object') return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (POLLUTING.includes(k)) out.push(`${path}${k}`);
    out.push(...pollutingKeys(v, `${path}${k}.`));
  }
  return out;
}

export { headerValue };
