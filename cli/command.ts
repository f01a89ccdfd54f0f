// What a proxyvote command is, how its help is printed, and how any failure becomes one friendly
// message (what went wrong, what to do) instead of a stack trace.
import { InvalidInputError } from '../shared/domain/meeting.ts';
import type { OperatorRole } from '../shared/http/operators.ts';
import { AdminRefused, ApiUnreachable } from './admin-client.ts';
import { type Out, UsageError } from './io.ts';

export interface Command {
  /** The words that call it: "recount", "tabulate run", "enter paper-proxy". */
  name: string;
  /** One line: what it does, in the meeting's words. */
  summary: string;
  /** The options, as typed (without the command's name). */
  synopsis: string;
  /** Further lines of help: what it does in detail, what it writes, what it refuses. */
  details?: string;
  /** An admin API command: the operator role it needs. */
  role?: OperatorRole;
  run(args: string[], io: Out): Promise<number>;
}

/** The exit code of `proxyvote` alone or an unknown command; a command that fails exits 1. */
export const USAGE_EXIT = 2;

const HELP_FLAGS = new Set(['--help', '-h']);

/** Whether the arguments ask for help (before a `--` that ends the options). */
export function asksForHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (HELP_FLAGS.has(a)) return true;
  }
  return false;
}

export function commandHelp(c: Command): string {
  const role = c.role
    ? `\nRole: ${c.role} (an admin command: see "Connecting" in \`proxyvote --help\`).\n`
    : '';
  return `usage: proxyvote ${c.name} ${c.synopsis}\n\n${c.summary}\n${c.details ? `\n${c.details.trimEnd()}\n` : ''}${role}`;
}

/** The short list: one line per command, grouped by the first word. */
export function commandList(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return commands
    .map((c) => `  ${c.name.padEnd(width)}${c.summary}${c.role ? ` (${c.role})` : ''}\n`)
    .join('');
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the name could not be resolved',
  ETIMEDOUT: 'timed out',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'host unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'timed out',
};

function networkCode(e: unknown): string | undefined {
  for (let x = e as { code?: unknown; cause?: unknown } | undefined, i = 0; x && i < 5; i++) {
    if (typeof x.code === 'string' && x.code in NETWORK_CODES) return x.code;
    const errors = (x as { errors?: unknown[] }).errors;
    if (Array.isArray(errors)) for (const inner of errors) if (networkCode(inner)) return networkCode(inner);
    x = x.cause as typeof x;
  }
  return undefined;
}

/** The API's error answer, `{ error: { code, message, fields } }`, as lines; else the text as it came. */
export function refusalText(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as {
      error?: { code?: string; message?: string; fields?: Array<{ path?: string; message?: string }> };
      message?: string;
    };
    if (body.error?.message) {
      const fields = (body.error.fields ?? [])
        .map((f) => `\n  ${f.path && f.path !== '(body)' ? `${f.path}: ` : ''}${f.message ?? ''}`)
        .join('');
      return `refused (${status}): ${body.error.message}${body.error.code ? ` [${body.error.code}]` : ''}${fields}`;
    }
    if (body.message) return `refused (${status}): ${body.message}`;
  } catch {
    // Not JSON: shown as it came.
  }
  return `refused (${status}): ${text.trim() || '(no answer body)'}`;
}

/**
 * One message per failure: what went wrong and what to do. Returns the text (without the command's
 * prefix) and whether it was the user's input (usage) or the world's.
 */
export function friendlyError(e: unknown): { message: string; usage: boolean } {
  if (e instanceof UsageError) return { message: e.message, usage: true };
  if (e instanceof InvalidInputError) return { message: e.message, usage: false };
  const err = e as { code?: string; name?: string; message?: string; $metadata?: unknown };
  if (typeof err?.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS_'))
    return { message: (err.message ?? '').replace(/\. To specify a positional.*$/s, ''), usage: true };
  if (e instanceof ApiUnreachable) return { message: e.message, usage: false };
  if (e instanceof AdminRefused)
    return {
      message: `${refusalText(e.status, e.text)}${e.consequence ? `\n${e.consequence}` : ''}`,
      usage: false,
    };
  const net = networkCode(e);
  if (net) {
    const where = /(?:connect|getaddrinfo) \w+ (\S+)/.exec(String(err.message))?.[1];
    return {
      message:
        `cannot reach ${where ?? 'the service'} (${NETWORK_CODES[net]}): is \`npm start\` running, and are ` +
        '--dynamo / --ses / --api (or their environment variables) right? On AWS, check AWS_REGION and the network.',
      usage: false,
    };
  }
  const message = String(err?.message ?? e);
  if (/Region is missing/i.test(message))
    return {
      message:
        'no AWS Region is set: set AWS_REGION (e.g. us-west-2, the Region of the deploy settings), or give ' +
        '--dynamo URL for the local stack',
      usage: true,
    };
  if (err?.name === 'CredentialsProviderError' || /Could not load credentials/i.test(message))
    return {
      message: `no AWS credentials (${message}): set AWS_PROFILE to an operator role's profile (locally, the keys \`npm start\` prints)`,
      usage: true,
    };
  if (err?.name === 'ResourceNotFoundException')
    return {
      message: `the meeting's table is not there (${message}): check --meeting and --table-prefix, and that the meeting is deployed (or \`npm start\` running)`,
      usage: false,
    };
  if (err?.$metadata !== undefined) return { message: `AWS refused: ${err.name}: ${message}`, usage: false };
  return {
    message: `unexpected failure: ${err?.name && err.name !== 'Error' ? `${err.name}: ` : ''}${message} (set PROXYVOTE_DEBUG=1 to see where)`,
    usage: false,
  };
}

/** Runs a command: --help answered, every failure reported once on stderr, the exit code returned. */
export async function runCommand(c: Command, args: string[], io: Out): Promise<number> {
  if (asksForHelp(args)) {
    io.out(commandHelp(c));
    return 0;
  }
  try {
    return await c.run(args, io);
  } catch (e) {
    const { message, usage } = friendlyError(e);
    io.err(`proxyvote ${c.name}: ${message}\n`);
    if (usage) io.err(`(see \`proxyvote ${c.name} --help\`)\n`);
    if (process.env.PROXYVOTE_DEBUG && e instanceof Error && e.stack) io.err(`${e.stack}\n`);
    return 1;
  }
}
