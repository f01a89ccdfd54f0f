// Validation messages in the meeting's words, for every zod schema of the product: a missing field "is
// required", a wrong choice lists the allowed values, a number out of range says the range. Installed
// once (zod's global error map) by the modules that define the schemas, so that the API's answers,
// the CLI and the meeting and deploy files all say the same. A schema's own message still wins.
import * as z from 'zod';

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object { ... }',
  array: 'a list [ ... ]',
  date: 'a date',
  bigint: 'a whole number',
};

const FORMAT_WORDS: Record<string, string> = {
  email: 'an e-mail address',
  url: 'a URL',
  datetime: 'an ISO 8601 instant such as 2002-06-12T17:00:00Z',
  date: 'a date, YYYY-MM-DD',
  uuid: 'a UUID',
  regex: 'in the expected form',
};

const quoted = (v: unknown) => (typeof v === 'string' ? `"${v}"` : String(v));

function shown(input: unknown): string {
  if (typeof input === 'string') return `"${input.length > 40 ? `${input.slice(0, 40)}...` : input}"`;
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'an object';
  return String(input);
}

/** The message of one issue, in the domain's words. */
export function domainMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return 'is required';
      const expected = TYPE_WORDS[issue.expected] ?? issue.expected;
      return `must be ${expected}, not ${shown(issue.input)}`;
    }
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${quoted(issue.values[0])}${issue.input === undefined ? '' : `, not ${shown(issue.input)}`}`
        : `must be one of ${issue.values.map(quoted).join(', ')}${issue.input === undefined ? '' : `, not ${shown(issue.input)}`}`;
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string')
        return min <= 1 ? 'must not be empty' : `must be at least ${min} characters`;
      if (issue.origin === 'array' || issue.origin === 'set')
        return `must have at least ${min} item${min === 1 ? '' : 's'}`;
      return issue.inclusive === false ? `must be more than ${min}` : `must be at least ${min}`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return `must be at most ${max} characters`;
      if (issue.origin === 'array' || issue.origin === 'set')
        return `must have at most ${max} item${max === 1 ? '' : 's'}`;
      return issue.inclusive === false ? `must be less than ${max}` : `must be at most ${max}`;
    }
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'invalid_format':
      return `must be ${FORMAT_WORDS[issue.format] ?? issue.format}`;
    case 'unrecognized_keys':
      return `${issue.keys.length === 1 ? 'has a field that is not allowed here' : 'has fields that are not allowed here'}: ${issue.keys.map(quoted).join(', ')}`;
    case 'invalid_union':
      return 'is none of the forms allowed here';
    case 'invalid_key':
      return 'has a key that is not allowed';
    case 'invalid_element':
      return 'has an element that is not allowed';
    default:
      return undefined;
  }
}

z.config({ customError: domainMessage });
