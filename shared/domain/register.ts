// The register of holders of record (RULES.md section 2) as a CSV file, documented in
// docs/register-csv.md. Parsing is all or nothing: every bad line is named, with its column, and a
// register whose shares do not add up to the shares outstanding is refused with the difference.
// Pure domain code: the file text comes in as a string (decoded from UTF-8 by the caller).

import { beginsLikeFormula } from './csv.ts';
import { ACCOUNT_PATTERN, type Holder } from './holder.ts';
import { InvalidInputError } from './meeting.ts';

/** The columns of the header row, in the order serializeRegister writes them (any order is read). */
export const REGISTER_COLUMNS = [
  'account',
  'name',
  'joint_names',
  'email',
  'e_delivery',
  'mailing_address',
  'shares',
  'nominee',
] as const;
export type RegisterColumn = (typeof REGISTER_COLUMNS)[number];
/** A column a register may have: the holder's language for notices and e-mails (empty: English). */
export const LANGUAGE_COLUMN = 'language' as const;

export const MAX_NAME_LENGTH = 200;
export const MAX_JOINT_NAMES = 20;
export const MAX_EMAIL_LENGTH = 254;
export const MAX_ADDRESS_LENGTH = 500;
export const MAX_ADDRESS_LINES = 10;
/** The formatted message lists this many problems at most; `issues` and `problems` hold them all. */
const MAX_PROBLEMS_IN_MESSAGE = 1000;

export interface RegisterProblem {
  /** The physical line (1-based) where the record starts; 0 for the file as a whole. */
  line: number;
  /** The column the problem is in, or '' when it concerns the whole line (or the whole file). */
  field: string;
  message: string;
}

/** "line 12, shares: must be ...", "line 7: has 9 values ...", "file, shares: shares add up to ...". */
export function formatRegisterProblem(p: RegisterProblem): string {
  const where = p.line > 0 ? `line ${p.line}` : 'file';
  return p.field ? `${where}, ${p.field}: ${p.message}` : `${where}: ${p.message}`;
}

/**
 * A register that cannot be imported. `issues` holds every problem as { line, field, message };
 * `problems` (from InvalidInputError) holds the same, formatted one per line.
 */
export class RegisterError extends InvalidInputError {
  readonly issues: readonly RegisterProblem[];

  constructor(issues: readonly RegisterProblem[], source = 'register') {
    super(source, issues.map(formatRegisterProblem));
    this.name = 'RegisterError';
    this.issues = issues;
    if (issues.length > MAX_PROBLEMS_IN_MESSAGE) {
      const listed = this.problems.slice(0, MAX_PROBLEMS_IN_MESSAGE);
      const more = issues.length - MAX_PROBLEMS_IN_MESSAGE;
      this.message = `${source} is invalid (${groupDigits(String(issues.length))} problems):\n  ${listed.join('\n  ')}\n  ... and ${groupDigits(String(more))} more`;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Splitting the text into records (RFC 4180), one pass over the characters.

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

interface RawRecord {
  /** The physical line the record starts on. */
  line: number;
  fields: string[];
  /** Problems found while splitting: the index of the field they are in, and the message. */
  problems: { index: number; message: string }[] | null;
  /** A quoted value ran to the end of the text. */
  unterminated?: true;
}

class RecordReader {
  private i: number;
  private line = 1;
  private readonly n: number;

  constructor(private readonly text: string) {
    this.n = text.length;
    this.i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  /** The next record that is not a blank line, or null at the end of the text. */
  next(): RawRecord | null {
    while (this.i < this.n) {
      const record = this.readRecord();
      if (record) return record;
    }
    return null;
  }

  /** Reads one record; null when it was a blank line (nothing, or only spaces and tabs). */
  private readRecord(): RawRecord | null {
    const text = this.text;
    const n = this.n;
    const start = this.line;
    const fields: string[] = [];
    let problems: RawRecord['problems'] = null;
    let quoted = false;
    let i = this.i;
    for (;;) {
      let j = i;
      while (j < n && isBlank(text.charCodeAt(j))) j++;
      let value: string;
      if (j < n && text.charCodeAt(j) === QUOTE) {
        // A quoted value: commas, line breaks and doubled quotes ("") are part of it.
        quoted = true;
        const opened = this.line;
        i = j + 1;
        let segment = i;
        let acc = '';
        let closed = false;
        while (i < n) {
          const c = text.charCodeAt(i);
          if (c === QUOTE) {
            acc += text.slice(segment, i);
            if (text.charCodeAt(i + 1) === QUOTE) {
              acc += '"';
              i += 2;
              segment = i;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) this.line++;
          i++;
        }
        if (!closed) {
          fields.push(acc + text.slice(segment));
          problems ??= [];
          problems.push({
            index: fields.length - 1,
            message: `the quote opened on line ${opened} is never closed, so the rest of the file is inside it`,
          });
          this.i = n;
          return { line: start, fields, problems, unterminated: true };
        }
        value = acc;
        let k = i;
        while (k < n && isBlank(text.charCodeAt(k))) k++;
        const after = text.charCodeAt(k);
        if (k < n && after !== COMMA && after !== LF && after !== CR) {
          problems ??= [];
          problems.push({
            index: fields.length,
            message: 'text after the closing quote: quote the whole value, and write a quote inside it as ""',
          });
          while (k < n) {
            const c = text.charCodeAt(k);
            if (c === COMMA || c === LF || c === CR) break;
            k++;
          }
          value += text.slice(i, k);
        }
        i = k;
      } else {
        const from = i;
        let strayQuote = false;
        while (i < n) {
          const c = text.charCodeAt(i);
          if (c === COMMA || c === LF || c === CR) break;
          if (c === QUOTE) strayQuote = true;
          i++;
        }
        value = text.slice(from, i);
        if (strayQuote) {
          problems ??= [];
          problems.push({
            index: fields.length,
            message:
              'a quote inside a value that does not start with one: quote the whole value, and write a quote inside it as ""',
          });
        }
      }
      fields.push(value);
      if (i >= n) break;
      const c = text.charCodeAt(i++);
      if (c === COMMA) continue;
      if (c === CR && text.charCodeAt(i) === LF) i++;
      this.line++;
      break;
    }
    this.i = i;
    if (!quoted && !problems && fields.length === 1 && (fields[0] as string).trim() === '') return null;
    return { line: start, fields, problems };
  }
}

// ---------------------------------------------------------------------------------------------
// Reading one row's values into a Holder.

const EMAIL_PATTERN =
  /^[\p{L}\p{N}\p{M}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}\p{M}!#$%&'*+/=?^_`{|}~-]+)*@(?:[\p{L}\p{N}](?:[\p{L}\p{N}\p{M}-]*[\p{L}\p{N}\p{M}])?\.)+\p{L}[\p{L}\p{N}\p{M}-]*[\p{L}\p{N}\p{M}]$/u;
const THOUSANDS = /^\d{1,3}(?:([,. '_\u00a0\u202f])\d{3})(?:\1\d{3})*$/;
const DECIMAL = /^\d*[.,]\d+$/;
const LINE_BREAK = /\r\n|\r|\n/;

function hex(c: number): string {
  return `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Shows a value in a message: quoted, escaped, and cut short. Only for values that are not personal. */
function show(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
}

/** 7595175 -> "7,595,175" (no locale data needed). */
function groupDigits(digits: string): string {
  const negative = digits.startsWith('-');
  const d = negative ? digits.slice(1) : digits;
  let out = '';
  for (let end = d.length; end > 0; end -= 3)
    out = d.slice(Math.max(0, end - 3), end) + (out ? `,${out}` : '');
  return negative ? `-${out}` : out;
}

/** Why a (trimmed) text value is refused for its characters, or null if they are all allowed. */
function badCharacter(value: string, lineBreaksAllowed: boolean): string | null {
  for (let k = 0; k < value.length; k++) {
    const c = value.charCodeAt(k);
    if (c >= 0x20 && c < 0x7f) continue;
    if (c === LF || c === CR) {
      if (lineBreaksAllowed && c === LF) continue;
      return 'contains a line break: only mailing_address may have more than one line';
    }
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return `contains a control character (${hex(c)})`;
    if (c === 0x2028 || c === 0x2029) return `contains a line or paragraph separator (${hex(c)})`;
    if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
      return `contains a bidirectional formatting character (${hex(c)}), which can disguise text`;
    }
    if (c === 0xfffd) {
      return 'contains U+FFFD, the mark left by text that was not valid UTF-8: save the register as UTF-8 and import it again';
    }
    if (c === 0xfeff) return 'contains a byte order mark (U+FEFF) inside the text';
    if (c >= 0xd800 && c <= 0xdbff) {
      const low = value.charCodeAt(k + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        k++;
        continue;
      }
      return `contains an unpaired surrogate (${hex(c)}): the text is not valid Unicode`;
    }
    if (c >= 0xdc00 && c <= 0xdfff)
      return `contains an unpaired surrogate (${hex(c)}): the text is not valid Unicode`;
  }
  return null;
}

type Push = (field: RegisterColumn | typeof LANGUAGE_COLUMN | '', message: string) => void;

function readName(value: string, field: RegisterColumn, push: Push): string | null {
  const name = value.trim();
  if (name === '') {
    push(field, 'must not be empty');
    return null;
  }
  if (name.length > MAX_NAME_LENGTH) {
    push(field, `must be at most ${MAX_NAME_LENGTH} characters (it has ${name.length})`);
    return null;
  }
  const bad = badCharacter(name, false);
  if (bad) {
    push(field, bad);
    return null;
  }
  return name;
}

function readJointNames(value: string, push: Push): string[] | null {
  if (value.trim() === '') return [];
  const parts = value.split(';');
  if (parts.length > MAX_JOINT_NAMES) {
    push('joint_names', `at most ${MAX_JOINT_NAMES} joint holders (it has ${parts.length})`);
    return null;
  }
  const names: string[] = [];
  for (let k = 0; k < parts.length; k++) {
    const name = (parts[k] as string).trim();
    if (name === '') {
      push(
        'joint_names',
        `joint name ${k + 1} of ${parts.length} is empty: separate names with a single ";"`,
      );
      return null;
    }
    if (name.length > MAX_NAME_LENGTH) {
      push(
        'joint_names',
        `joint name ${k + 1} must be at most ${MAX_NAME_LENGTH} characters (it has ${name.length})`,
      );
      return null;
    }
    const bad = badCharacter(name, false);
    if (bad) {
      push('joint_names', `joint name ${k + 1} ${bad}`);
      return null;
    }
    names.push(name);
  }
  return names;
}

function readEmail(value: string, push: Push): string | null | undefined {
  const email = value.trim();
  if (email === '') return null;
  // The pattern admits letters, marks, digits and RFC 5322 atext only: no character badCharacter refuses.
  if (email.length <= MAX_EMAIL_LENGTH && email.lastIndexOf('@') <= 64 && EMAIL_PATTERN.test(email))
    return email;
  const bad = badCharacter(email, false);
  if (bad) push('email', bad);
  else if (/[,;\s]/.test(email) && email.split(/[,;\s]+/).filter((s) => s.includes('@')).length > 1) {
    push('email', 'holds more than one address: the register takes one e-mail address per account');
  } else push('email', 'is not a plausible e-mail address (name@example.com)');
  return undefined;
}

function readYesNo(value: string, field: RegisterColumn, push: Push): boolean | null {
  const v = value.trim().toLowerCase();
  if (v === 'yes' || v === 'true') return true;
  if (v === 'no' || v === 'false') return false;
  push(field, v === '' ? 'must be yes or no (it is empty)' : `must be yes or no, not ${show(value.trim())}`);
  return null;
}

/** Lines joined by "\n", each trimmed, blank ones left out; the same string when already so. */
function tidyLines(text: string): string {
  if (!text.includes('\r')) {
    let tidy = true;
    for (let from = 0; tidy && from <= text.length; ) {
      let end = text.indexOf('\n', from);
      if (end < 0) end = text.length;
      const l = text.slice(from, end);
      tidy = l !== '' && l.trim() === l;
      from = end + 1;
    }
    if (tidy) return text;
  }
  let out = '';
  for (const l of text.split(LINE_BREAK)) {
    const t = l.trim();
    if (t !== '') out = out === '' ? t : `${out}\n${t}`;
  }
  return out;
}

function readAddress(value: string, push: Push): string | null {
  let address = value.trim();
  if (address.includes('\n') || address.includes('\r')) address = tidyLines(address);
  if (address === '') {
    push('mailing_address', 'must not be empty: every holder of record has a postal address');
    return null;
  }
  if (address.length > MAX_ADDRESS_LENGTH) {
    push('mailing_address', `must be at most ${MAX_ADDRESS_LENGTH} characters (it has ${address.length})`);
    return null;
  }
  const bad = badCharacter(address, true);
  if (bad) {
    push('mailing_address', bad);
    return null;
  }
  let lines = 1;
  for (let k = address.indexOf('\n'); k >= 0; k = address.indexOf('\n', k + 1)) lines++;
  if (lines > MAX_ADDRESS_LINES) {
    push('mailing_address', `must have at most ${MAX_ADDRESS_LINES} lines (it has ${lines})`);
    return null;
  }
  return address;
}

const MAX_SAFE_DIGITS = String(Number.MAX_SAFE_INTEGER);

function readShares(value: string, push: Push): number | null {
  const v = value.trim();
  let digitsOnly = v.length > 0;
  for (let k = 0; k < v.length && digitsOnly; k++) {
    const c = v.charCodeAt(k);
    digitsOnly = c >= 0x30 && c <= 0x39;
  }
  if (!digitsOnly) {
    if (v === '') push('shares', 'must be a whole number of shares greater than 0 (it is empty)');
    else if (v.startsWith('-')) push('shares', `must be greater than 0, not ${show(v)}`);
    else if (THOUSANDS.test(v) && !v.includes('.')) {
      push(
        'shares',
        `must be written with digits only, without thousands separators: ${v.replace(/\D/g, '')}, not ${show(v)}`,
      );
    } else if (DECIMAL.test(v))
      push(
        'shares',
        `must be a whole number written with digits only, without a decimal point or fractional shares, not ${show(v)}`,
      );
    else
      push(
        'shares',
        `must be a whole number written with digits only (no sign, spaces, decimal point or separators), not ${show(v)}`,
      );
    return null;
  }
  if (v.length > 1 && v.charCodeAt(0) === 0x30) {
    if (/^0+$/.test(v))
      push('shares', 'must be greater than 0: leave accounts with no shares off the register');
    else push('shares', `must be written without leading zeros, not ${show(v)}`);
    return null;
  }
  if (v.length > MAX_SAFE_DIGITS.length || (v.length === MAX_SAFE_DIGITS.length && v > MAX_SAFE_DIGITS)) {
    push('shares', `must not exceed ${groupDigits(MAX_SAFE_DIGITS)}`);
    return null;
  }
  const shares = Number(v);
  if (shares === 0) {
    push('shares', 'must be greater than 0: leave accounts with no shares off the register');
    return null;
  }
  return shares;
}

function readAccount(value: string, push: Push): string | null {
  const account = value.trim();
  if (account === '') {
    push('account', 'must not be empty');
    return null;
  }
  if (!ACCOUNT_PATTERN.test(account)) {
    push(
      'account',
      `must be 1 to 32 letters, digits and hyphens, starting with a letter or digit, not ${show(account)}`,
    );
    return null;
  }
  return account;
}

/**
 * Reads one row, its values given in REGISTER_COLUMNS order; `skip` marks values that could not be
 * split out of the text (already reported). Returns null when anything is wrong.
 */
function readRow(cells: readonly string[], skip: readonly boolean[] | null, push: Push): Holder | null {
  const account = skip?.[0] ? null : readAccount(cells[0] as string, push);
  const name = skip?.[1] ? null : readName(cells[1] as string, 'name', push);
  const jointNames = skip?.[2] ? null : readJointNames(cells[2] as string, push);
  const email = skip?.[3] ? undefined : readEmail(cells[3] as string, push);
  const eDelivery = skip?.[4] ? null : readYesNo(cells[4] as string, 'e_delivery', push);
  const mailingAddress = skip?.[5] ? null : readAddress(cells[5] as string, push);
  const shares = skip?.[6] ? null : readShares(cells[6] as string, push);
  const nominee = skip?.[7] ? null : readYesNo(cells[7] as string, 'nominee', push);
  if (eDelivery === true && email === null) {
    push('e_delivery', 'is yes, but there is no e-mail address to deliver to');
    return null;
  }
  if (
    account === null ||
    name === null ||
    jointNames === null ||
    email === undefined ||
    eDelivery === null ||
    mailingAddress === null ||
    shares === null ||
    nominee === null
  ) {
    return null;
  }
  return { account, name, jointNames, email, eDelivery, mailingAddress, shares, nominee };
}

// ---------------------------------------------------------------------------------------------
// The header row.

const normalizeColumn = (s: string) => s.toLowerCase().replace(/[^a-z]/g, '');

/** The holder's language from the register's optional column: "" is English; "en", "es" (or the names). */
function readLanguage(raw: string, push: Push): Holder['language'] | null {
  const v = raw.trim().toLowerCase();
  if (v === '') return undefined;
  if (['en', 'english', 'inglés', 'ingles'].includes(v) || v.startsWith('en-')) return 'en';
  if (['es', 'spanish', 'español', 'espanol'].includes(v) || v.startsWith('es-')) return 'es';
  push(
    LANGUAGE_COLUMN,
    `must be en (English) or es (Spanish), or empty for English, not ${show(raw.trim())}`,
  );
  return null;
}

/**
 * The index of each column (in REGISTER_COLUMNS order, then the language column or -1 when the file
 * has none) among the header's values, or null.
 */
function readHeader(record: RawRecord | null, problems: RegisterProblem[]): number[] | null {
  const expected = REGISTER_COLUMNS.join(',');
  if (!record) {
    problems.push({
      line: 1,
      field: '',
      message: `the file is empty: the first line must be the header ${expected}`,
    });
    return null;
  }
  const { line } = record;
  const before = problems.length;
  for (const p of record.problems ?? []) problems.push({ line, field: '', message: `header: ${p.message}` });
  const names = record.fields.map((f) => f.trim().toLowerCase());
  if (!names.some((n) => (REGISTER_COLUMNS as readonly string[]).includes(n))) {
    problems.push({
      line,
      field: '',
      message: `the first line is not the header: it must name the columns ${expected}, in any order`,
    });
    return null;
  }
  const index = new Map<string, number>();
  names.forEach((name, k) => {
    if (name === LANGUAGE_COLUMN && !index.has(name)) {
      index.set(name, k);
    } else if (!(REGISTER_COLUMNS as readonly string[]).includes(name) && name !== LANGUAGE_COLUMN) {
      const near = REGISTER_COLUMNS.find((c) => normalizeColumn(c) === normalizeColumn(name));
      const label =
        name === ''
          ? `column ${k + 1} has no name`
          : `unknown column ${show(record.fields[k]?.trim() ?? '')}`;
      problems.push({ line, field: '', message: near ? `${label}: did you mean ${near}?` : label });
    } else if (index.has(name)) {
      problems.push({ line, field: name, message: 'the column appears more than once in the header' });
    } else {
      index.set(name, k);
    }
  });
  for (const column of REGISTER_COLUMNS) {
    if (!index.has(column))
      problems.push({ line, field: column, message: 'the column is missing from the header' });
  }
  if (problems.length > before) return null;
  return [...REGISTER_COLUMNS.map((c) => index.get(c) as number), index.get(LANGUAGE_COLUMN) ?? -1];
}

// ---------------------------------------------------------------------------------------------
// Duplicate accounts.

/** FNV-1a over the account with ASCII letters folded to lower case (accounts are ASCII). */
export function accountHash(account: string): number {
  let h = 0x811c9dc5 | 0;
  for (let k = 0; k < account.length; k++) {
    let c = account.charCodeAt(k);
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return h;
}

function sameAccount(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) {
    let x = a.charCodeAt(k);
    let y = b.charCodeAt(k);
    if (x >= 0x41 && x <= 0x5a) x |= 0x20;
    if (y >= 0x41 && y <= 0x5a) y |= 0x20;
    if (x !== y) return false;
  }
  return true;
}

/**
 * The accounts seen so far, letter case ignored, with the line each was first on. An open-addressing
 * table over accountHash, so that no string is made per account: a Map keyed by account.toLowerCase()
 * took three times as long on a million lines. Accounts crafted for their hashes to collide would
 * make the probing quadratic, so past a budget of probes the index moves to a Map, whose string
 * hashes are seeded. Exported for the tests.
 */
export class AccountIndex {
  private size = 1024;
  private slots = new Int32Array(this.size).fill(-1);
  private slotHashes = new Int32Array(this.size);
  private readonly accounts: string[] = [];
  private readonly lines: number[] = [];
  private probes = 0;
  private map: Map<string, number> | null = null;

  /** The line the account was first seen on; undefined (and the account recorded on `line`) if new. */
  firstLine(account: string, line: number): number | undefined {
    if (this.map) {
      const key = account.toLowerCase();
      const first = this.map.get(key);
      if (first === undefined) this.map.set(key, line);
      return first;
    }
    const h = accountHash(account);
    const mask = this.size - 1;
    let s = h & mask;
    for (let e = this.slots[s] as number; e >= 0; e = this.slots[s] as number) {
      if (this.slotHashes[s] === h && sameAccount(this.accounts[e] as string, account)) return this.lines[e];
      s = (s + 1) & mask;
      this.probes++;
    }
    const e = this.accounts.length;
    this.accounts.push(account);
    this.lines.push(line);
    this.slots[s] = e;
    this.slotHashes[s] = h;
    if (this.probes > 8 * this.accounts.length + 4096) this.toMap();
    else if (this.accounts.length * 2 > this.size) this.grow();
    return undefined;
  }

  /** Whether the index gave up hashing and moved to a Map (for the tests). */
  get usesMap(): boolean {
    return this.map !== null;
  }

  private grow(): void {
    const slots = this.slots;
    const hashes = this.slotHashes;
    this.size *= 2;
    const mask = this.size - 1;
    this.slots = new Int32Array(this.size).fill(-1);
    this.slotHashes = new Int32Array(this.size);
    for (let old = 0; old < slots.length; old++) {
      const e = slots[old] as number;
      if (e < 0) continue;
      const h = hashes[old] as number;
      let s = h & mask;
      while ((this.slots[s] as number) >= 0) s = (s + 1) & mask;
      this.slots[s] = e;
      this.slotHashes[s] = h;
    }
  }

  private toMap(): void {
    this.map = new Map();
    for (let e = 0; e < this.accounts.length; e++) {
      const key = (this.accounts[e] as string).toLowerCase();
      if (!this.map.has(key)) this.map.set(key, this.lines[e] as number);
    }
    this.slots = new Int32Array(0);
    this.slotHashes = new Int32Array(0);
  }
}

// ---------------------------------------------------------------------------------------------
// The register.

/**
 * Parses the register: the CSV text (UTF-8 decoded, with or without a byte order mark) and the
 * shares outstanding in the meeting file, which the shares must add up to. Returns every holder, in
 * file order, or throws a RegisterError naming every problem (nothing is half-imported).
 */
export function parseRegister(
  csvText: string,
  expectedShares: number,
  source = 'register',
): { holders: Holder[]; formulaLike: FormulaLikeName[] } {
  if (!Number.isSafeInteger(expectedShares) || expectedShares <= 0) {
    throw new RangeError(`expectedShares must be a whole number greater than 0, not ${expectedShares}`);
  }
  const reader = new RecordReader(csvText);
  const problems: RegisterProblem[] = [];
  const columns = readHeader(reader.next(), problems);
  if (!columns) throw new RegisterError(problems, source);

  const holders: Holder[] = [];
  const firstLine = new AccountIndex();
  const languageAt = columns[REGISTER_COLUMNS.length] as number;
  const width = languageAt < 0 ? REGISTER_COLUMNS.length : REGISTER_COLUMNS.length + 1;
  const cells: string[] = new Array(REGISTER_COLUMNS.length);
  let line = 0;
  const push: Push = (field, message) => {
    problems.push({ line, field, message });
  };
  let total = 0; // exact while it stays within Number.MAX_SAFE_INTEGER; beyond, bigTotal takes over
  let bigTotal: bigint | null = null;
  let unreadableShares = 0;
  let records = 0;

  for (let record = reader.next(); record; record = reader.next()) {
    records++;
    line = record.line;
    const { fields } = record;
    let skip: boolean[] | null = null;
    if (record.problems) {
      skip = new Array(width).fill(false);
      for (const p of record.problems) {
        const column = columns.indexOf(p.index);
        if (column >= 0) skip[column] = true;
        push(
          column === REGISTER_COLUMNS.length ? LANGUAGE_COLUMN : (REGISTER_COLUMNS[column] ?? ''),
          p.message,
        );
      }
    }
    if (fields.length !== width) {
      if (!record.unterminated) {
        const hint =
          fields.length > width ? ': is there an unquoted comma in a name or address? ("Smith, Jane")' : '';
        push(
          '',
          `has ${fields.length} value${fields.length === 1 ? '' : 's'}, the header has ${width}${hint}`,
        );
      }
      unreadableShares++;
      continue;
    }
    for (let k = 0; k < REGISTER_COLUMNS.length; k++) cells[k] = fields[columns[k] as number] as string;
    const before = problems.length;
    let holder = readRow(cells, skip, push);
    if (languageAt >= 0 && !skip?.[REGISTER_COLUMNS.length]) {
      const language = readLanguage(fields[languageAt] as string, push);
      if (language === null) holder = null;
      else if (holder && language !== undefined) holder = { ...holder, language };
    }

    // Shares count towards the total, and accounts towards duplicates, even when other values are bad.
    let shares: number | null = holder ? holder.shares : null;
    let account: string | null = holder ? holder.account : null;
    if (!holder) {
      let sharesFailed = skip?.[6] === true;
      let accountFailed = skip?.[0] === true;
      for (let k = before; k < problems.length; k++) {
        const field = (problems[k] as RegisterProblem).field;
        if (field === 'shares') sharesFailed = true;
        else if (field === 'account') accountFailed = true;
      }
      if (!sharesFailed) shares = Number((cells[6] as string).trim());
      if (!accountFailed) account = (cells[0] as string).trim();
    }
    if (shares === null) unreadableShares++;
    else if (bigTotal !== null) bigTotal += BigInt(shares);
    else if (total + shares <= Number.MAX_SAFE_INTEGER) total += shares;
    else bigTotal = BigInt(total) + BigInt(shares);
    if (account !== null) {
      const first = firstLine.firstLine(account, line);
      if (first !== undefined)
        push('account', `duplicate: ${show(account)} is on line ${first} and again on line ${line}`);
    }
    if (holder && problems.length === before) holders.push(holder);
  }

  const fileProblems: RegisterProblem[] = [];
  const outstanding = groupDigits(String(expectedShares));
  if (records === 0) {
    fileProblems.push({
      line: 0,
      field: '',
      message: `the register lists no holders; ${outstanding} shares are outstanding`,
    });
  } else if (unreadableShares > 0) {
    fileProblems.push({
      line: 0,
      field: 'shares',
      message: `the total is checked against the ${outstanding} outstanding once every line has valid shares (${groupDigits(String(unreadableShares))} ${unreadableShares === 1 ? 'line does' : 'lines do'} not)`,
    });
  } else if ((bigTotal ?? BigInt(total)) !== BigInt(expectedShares)) {
    const sum = bigTotal ?? BigInt(total);
    const expected = BigInt(expectedShares);
    const difference = sum > expected ? sum - expected : expected - sum;
    fileProblems.push({
      line: 0,
      field: 'shares',
      message: `shares add up to ${groupDigits(String(sum))}, ${groupDigits(String(difference))} ${sum > expected ? 'more' : 'fewer'} than the ${outstanding} outstanding`,
    });
  }
  if (problems.length > 0 || fileProblems.length > 0)
    throw new RegisterError([...fileProblems, ...problems], source);
  return { holders, formulaLike: formulaLikeNames(holders) };
}

/** A holder's name that a spreadsheet would take for a formula: kept exactly, reported to the operator. */
export interface FormulaLikeName {
  account: string;
  field: 'name' | 'joint_names';
}

/**
 * The names that begin like a spreadsheet formula. They are imported as given (the register and its
 * export stay exact for the recount); every CSV meant for people neutralises them (shared/domain/csv.ts);
 * the import's report names them so that someone checks them against the transfer agent's records.
 */
export function formulaLikeNames(holders: readonly Holder[]): FormulaLikeName[] {
  const found: FormulaLikeName[] = [];
  for (const h of holders) {
    if (beginsLikeFormula(h.name)) found.push({ account: h.account, field: 'name' });
    if (h.jointNames.some(beginsLikeFormula)) found.push({ account: h.account, field: 'joint_names' });
  }
  return found;
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

function csvValue(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * Writes holders as a register file (header in REGISTER_COLUMNS order, CRLF line ends, values quoted
 * where needed) that parseRegister reads back to the same holders. Throws a RegisterError, with the
 * lines the file would have had, for holders it could not write faithfully: values parseRegister
 * would refuse, would read back differently (surrounding spaces, a ";" in a joint name, blank address
 * lines), or duplicate accounts.
 */
export function serializeRegister(holders: readonly Holder[]): string {
  const withLanguage = holders.some((h) => h.language !== undefined);
  const out: string[] = [[...REGISTER_COLUMNS, ...(withLanguage ? [LANGUAGE_COLUMN] : [])].join(',')];
  const problems: RegisterProblem[] = [];
  const firstLine = new AccountIndex();
  let line = 2;
  const push: Push = (field, message) => {
    problems.push({ line, field, message });
  };
  for (const h of holders) {
    const cells = [
      String(h.account),
      String(h.name),
      Array.isArray(h.jointNames) ? h.jointNames.join(';') : String(h.jointNames),
      h.email === null ? '' : String(h.email),
      h.eDelivery ? 'yes' : 'no',
      String(h.mailingAddress),
      String(h.shares),
      h.nominee ? 'yes' : 'no',
    ];
    const before = problems.length;
    const back = readRow(cells, null, push);
    if (withLanguage) cells.push(h.language ?? '');
    if (h.language !== undefined && h.language !== 'en' && h.language !== 'es')
      push(LANGUAGE_COLUMN, 'must be "en" or "es", or absent');
    if (back && problems.length === before) {
      if (back.name !== h.name) push('name', 'has spaces at the start or end');
      if (!sameStrings(back.jointNames, h.jointNames)) {
        push('joint_names', 'a joint name is empty, has spaces at the start or end, or contains ";"');
      }
      if (back.email !== h.email)
        push('email', 'must be null (not an empty string) for no address, without spaces around');
      if (back.eDelivery !== h.eDelivery) push('e_delivery', 'must be true or false');
      if (back.mailingAddress !== h.mailingAddress) {
        push(
          'mailing_address',
          'must be lines separated by "\\n", without blank lines or spaces at either end of a line',
        );
      }
      if (back.shares !== h.shares) push('shares', 'must be a whole number');
      if (back.nominee !== h.nominee) push('nominee', 'must be true or false');
      const first = firstLine.firstLine(back.account, line);
      if (first !== undefined)
        push('account', `duplicate: ${show(back.account)} is on line ${first} and again on line ${line}`);
    }
    const row = cells.map(csvValue).join(',');
    out.push(row);
    for (let k = row.indexOf('\n'); k >= 0; k = row.indexOf('\n', k + 1)) line++;
    line++;
  }
  if (problems.length > 0) throw new RegisterError(problems, 'register to write');
  return `${out.join('\r\n')}\r\n`;
}
