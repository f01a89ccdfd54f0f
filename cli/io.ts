// What every proxyvote command shares: output streams, usage errors, reading files.
import { readFile } from 'node:fs/promises';

export type Out = { out: (s: string) => void; err: (s: string) => void };

export class UsageError extends Error {}

export async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export function required<T extends Record<string, unknown>>(
  values: T,
  names: Array<keyof T & string>,
  usage: string,
): void {
  for (const name of names) {
    if (values[name] === undefined || values[name] === '')
      throw new UsageError(`--${name} is required\n${usage}`);
  }
}
