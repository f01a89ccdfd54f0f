// What every proxyvote command shares: output streams, usage errors, reading files, JSON output,
// progress on stderr, and where files for people (exports, print files) go by default.
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';

export type Out = { out: (s: string) => void; err: (s: string) => void };

export class UsageError extends Error {}

export async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code;
    throw new UsageError(`cannot read ${path}: ${why ?? (e as Error).message}`);
  }
}

export function required<T extends Record<string, unknown>>(
  values: T,
  names: Array<keyof T & string>,
  _usage?: string,
): void {
  const missing = names.filter((name) => values[name] === undefined || values[name] === '');
  if (missing.length > 0)
    throw new UsageError(
      `${missing.map((m) => `--${m}`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} required`,
    );
}

/** A value for scripts: pretty JSON with a trailing newline. */
export function printJson(io: Out, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

export const n = (x: number): string => x.toLocaleString('en-US');

// ------------------------------------------------------------------------------------------------
// Files for people: outside the repository by default.

/** The repository this CLI runs from: files with names and control numbers must not land in it. */
export const REPOSITORY = resolve(new URL('..', import.meta.url).pathname);

/**
 * Where exports and print files go when no path is given: PROXYVOTE_OUTPUT_DIR, else ~/proxyvote-output
 * (created, readable by its owner only).
 */
export function outputDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = resolve(env.PROXYVOTE_OUTPUT_DIR || join(homedir(), 'proxyvote-output'));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** A new name in the output folder: `<stem>-20020520T170000Z<ext>`. */
export function defaultOutputPath(stem: string, ext: string, now = Date.now()): string {
  const stamp = new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return join(outputDir(), `${stem}-${stamp}${ext}`);
}

/** Whether a path lies inside the repository (where a file could be committed by mistake). */
export function insideRepository(path: string): boolean {
  const rel = relative(REPOSITORY, resolve(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** A warning on stderr when a file with holders' data is written into the repository. */
export function warnIfInRepository(io: Out, path: string, what: string): void {
  if (insideRepository(path))
    io.err(
      `warning: ${path} is inside the proxyvote repository and holds ${what}: keep it out of commits ` +
        '(leave the path out to write under ~/proxyvote-output, or PROXYVOTE_OUTPUT_DIR)\n',
    );
}

// ------------------------------------------------------------------------------------------------
// Progress, on stderr so that stdout stays the result.

export interface Progress {
  /** `total` undefined when it is not known in advance (pages of an export). */
  (label: string, done: number, total?: number): void;
  end(): void;
}

/**
 * Progress of a long command on stderr. On a terminal one line rewritten in place; otherwise (a log,
 * a script) a plain line at the start, at each quarter of a known total, and at each doubling of an
 * unknown one, so that a log shows the command alive without a line per item.
 */
export function progress(io: Out, tty = process.stderr.isTTY === true): Progress {
  let shown = '';
  let lastLabel = '';
  let mark = -1;
  const update = ((label: string, done: number, total?: number) => {
    const line =
      total === undefined
        ? `${label}: ${n(done)}`
        : `${label}: ${n(done)} / ${n(total)} (${total === 0 ? 100 : Math.floor((done / total) * 100)}%)`;
    if (tty) {
      if (line === shown) return;
      shown = line;
      io.err(`\r${line}\u001b[K`);
      return;
    }
    if (label !== lastLabel) {
      lastLabel = label;
      mark = -1;
    }
    // Quarters of a known total; else 0 for none yet, then 1, 2, 3... at 1, 2, 4, 8... items.
    let step: number;
    if (total !== undefined) step = total === 0 ? 4 : Math.floor((done / total) * 4);
    else step = done < 1 ? 0 : 1 + Math.floor(Math.log2(done));
    if (step <= mark) return;
    mark = step;
    io.err(`${line}\n`);
  }) as Progress;
  update.end = () => {
    if (tty && shown) io.err('\n');
    shown = '';
  };
  return update;
}

/**
 * A request that may take a while (a count): the label on stderr, and on a terminal the seconds
 * elapsed, until it settles.
 */
export async function whileWaiting<T>(
  io: Out,
  label: string,
  work: Promise<T>,
  tty = process.stderr.isTTY === true,
): Promise<T> {
  const started = Date.now();
  io.err(tty ? `${label}...` : `${label}...\n`);
  const timer = tty
    ? setInterval(() => io.err(`\r${label}... ${Math.round((Date.now() - started) / 1000)} s\u001b[K`), 1000)
    : undefined;
  timer?.unref();
  try {
    return await work;
  } finally {
    if (timer) clearInterval(timer);
    if (tty) io.err(`\r${label}: done in ${Math.round((Date.now() - started) / 100) / 10} s\u001b[K\n`);
  }
}
