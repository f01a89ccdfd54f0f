// Reading a stored instruction body (the canonical JSON vote-store.ts writes) on the count's hot path.
//
// A million instructions each parsed by the zod schema and written out again as canonical JSON for the
// history digest cost the count about a third of its time. A body the product wrote is already
// canonical JSON of a valid instruction, so `readStoredBody` checks that by hand, cheaply, and then
// uses the body itself as the instruction's canonical text. Anything the hand check does not recognise
// exactly (another key order, white space, a missing default, a value zod would trim, any invalid field)
// falls back to the schema and canonicalText: the result is always what
// `instructionSchema.parse` and `canonicalText` give, only faster for the bodies the product writes
// (a property test holds the two paths to each other).
import * as z from 'zod';
import { ACCOUNT_PATTERN } from './holder.ts';
import { type Instruction, instructionSchema } from './instruction.ts';
import { canonicalText } from './tamper.ts';
import { isRealDate } from './time.ts';

export type StoredBody =
  | { ok: true; instruction: Instruction; canonical: string }
  /** Each problem as the text that follows the item's name: ": ..." or ", <path>: ...". */
  | { ok: false; problems: string[] };

const RECEIVED_AT = z.regexes.datetime({ offset: true });

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const isCount = (v: unknown): boolean =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER;

const sizedString = (v: unknown, min: number, max: number): boolean =>
  typeof v === 'string' && v.length >= min && v.length <= max;

/** z.string().trim().min(min).max(max), accepting only values trim leaves unchanged. */
const trimmedString = (v: unknown, min: number, max: number): boolean =>
  typeof v === 'string' && v.length >= min && v.length <= max && v.trim() === v;

const isArrayIndex = (k: string): boolean => {
  const c = k.charCodeAt(0);
  return c >= 48 && c <= 57 && /^(?:0|[1-9]\d{0,9})$/.test(k) && Number(k) < 4_294_967_295;
};

/**
 * The keys of `o`, if they are all allowed and the non-index keys come in sorted order (the order
 * canonicalText writes, so that JSON.stringify gives the same text); null otherwise.
 */
function sortedKeys(o: Obj, allowed?: ReadonlySet<string>): string[] | null {
  const keys = Object.keys(o);
  let previous: string | null = null;
  for (const k of keys) {
    if (k === '__proto__') return null;
    if (allowed && !allowed.has(k)) return null;
    if (isArrayIndex(k)) continue;
    if (previous !== null && !(previous < k)) return null;
    previous = k;
  }
  return keys;
}

const MATTER_CHOICES = new Set(['FOR', 'AGAINST', 'ABSTAIN']);
const NOMINEE_CHOICES = new Set(['FOR', 'WITHHOLD', 'AGAINST']);
const ELECTION_KEYS = new Set(['marks', 'allocation']);

/** A split: an object of optional counts under the given choices (a strict object of the schema). */
function isSplit(v: Obj, choices: ReadonlySet<string>): boolean {
  const keys = sortedKeys(v, choices);
  if (keys === null) return false;
  for (const k of keys) if (!isCount(v[k])) return false;
  return true;
}

function isNomineeVote(v: unknown): boolean {
  if (typeof v === 'string') return NOMINEE_CHOICES.has(v);
  return isObject(v) && isSplit(v, NOMINEE_CHOICES);
}

/**
 * One entry of `votes`: the schema's union tries a matter first (a choice, or a strict object of
 * optional counts, which `{}` also is), then an election (marks given: the schema's default would add it).
 */
function isVote(v: unknown): boolean {
  if (typeof v === 'string') return MATTER_CHOICES.has(v);
  if (!isObject(v)) return false;
  if (!('marks' in v)) return isSplit(v, MATTER_CHOICES);
  const keys = sortedKeys(v, ELECTION_KEYS);
  if (keys === null) return false;
  const marks = v.marks;
  if (!isObject(marks)) return false;
  const nominees = sortedKeys(marks);
  if (nominees === null) return false;
  for (const k of nominees) if (!isNomineeVote(marks[k])) return false;
  if ('allocation' in v) {
    const allocation = v.allocation;
    if (!isObject(allocation)) return false;
    const ids = sortedKeys(allocation);
    if (ids === null) return false;
    for (const k of ids) if (!isCount(allocation[k])) return false;
  }
  return true;
}

function isVotes(v: unknown): boolean {
  if (!isObject(v)) return false;
  const keys = sortedKeys(v);
  if (keys === null) return false;
  for (const k of keys) if (!isVote(v[k])) return false;
  return true;
}

const BASE = ['id', 'account', 'receivedAt', 'signedBy', 'enteredBy', 'kind', 'channel'];
const KEYS: Record<string, ReadonlySet<string>> = {
  proxy: new Set([...BASE, 'dated', 'party', 'agent', 'votes']),
  revocation: new Set([...BASE, 'dated']),
  'meeting-ballot': new Set([...BASE, 'votes']),
  resolution: new Set([...BASE, 'chooses']),
};
const CHANNELS: Record<string, ReadonlySet<string>> = {
  proxy: new Set(['internet', 'phone', 'paper']),
  revocation: new Set(['paper', 'internet']),
  'meeting-ballot': new Set(['meeting']),
  resolution: new Set(['inspector']),
};

/**
 * Whether `v` is an instruction exactly as the schema would output it (so parsing changes nothing),
 * with its object keys in canonical order. False means: ask the schema.
 */
export function isCanonicalInstructionShape(v: unknown): v is Instruction {
  if (!isObject(v)) return false;
  const kind = v.kind;
  if (typeof kind !== 'string') return false;
  const allowed = KEYS[kind];
  const channels = CHANNELS[kind];
  if (!allowed || !channels) return false;
  if (sortedKeys(v, allowed) === null) return false;
  if (!sizedString(v.id, 1, 128)) return false;
  if (typeof v.account !== 'string' || !ACCOUNT_PATTERN.test(v.account)) return false;
  if (typeof v.receivedAt !== 'string' || !RECEIVED_AT.test(v.receivedAt)) return false;
  if (!trimmedString(v.signedBy, 1, 200)) return false;
  if ('enteredBy' in v && !trimmedString(v.enteredBy, 1, 200)) return false;
  if (typeof v.channel !== 'string' || !channels.has(v.channel)) return false;
  if ('dated' in v && !(typeof v.dated === 'string' && isRealDate(v.dated))) return false;
  if ('party' in v && !sizedString(v.party, 1, 63)) return false;
  if ('agent' in v && !trimmedString(v.agent, 1, 200)) return false;
  if ('chooses' in v && !sizedString(v.chooses, 1, 128)) return false;
  if (kind === 'resolution' && !('chooses' in v)) return false;
  if (allowed.has('votes') && !isVotes(v.votes)) return false;
  return true;
}

/**
 * A stored body as the count reads it: the instruction and its canonical JSON (for the history digest),
 * or the schema's problems. Equal to `instructionSchema.safeParse(JSON.parse(body))` and
 * `canonicalText` of its data.
 */
export function readStoredBody(body: string): StoredBody {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return { ok: false, problems: [': the body is not JSON'] };
  }
  if (isCanonicalInstructionShape(raw) && JSON.stringify(raw) === body)
    return { ok: true, instruction: raw, canonical: body };
  const parsed = instructionSchema.safeParse(raw);
  if (!parsed.success)
    return {
      ok: false,
      problems: parsed.error.issues.map(
        (issue) => `, ${issue.path.length ? issue.path.join('.') : '(body)'}: ${issue.message}`,
      ),
    };
  return { ok: true, instruction: parsed.data, canonical: canonicalText(parsed.data) };
}
