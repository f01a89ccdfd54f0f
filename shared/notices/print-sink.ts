// A print file on the local disk: created new (never over another print file, whose numbers would be
// lost), readable by its owner only. prepare() checks before anything is imported or re-issued that
// the file can be created; write() creates it. The import writes a part per chunk into <file>.parts/
// (a resumed import writes an interrupted chunk's part again) and joins them into the file at the end.
import { constants } from 'node:fs';
import { access, mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { PrintFileSink } from './ports.ts';

const EXISTS = 'exists already: choose a new file (an old print file may hold numbers not yet printed)';

export class FilePrintSink implements PrintFileSink {
  readonly path: string;

  constructor(path: string) {
    this.path = resolve(path);
  }

  async prepare(): Promise<void> {
    const exists = await access(this.path).then(
      () => true,
      () => false,
    );
    if (exists) throw new PrintFileUnwritable(this.path, EXISTS);
    try {
      await access(dirname(this.path), constants.W_OK);
    } catch (e) {
      throw new PrintFileUnwritable(
        this.path,
        `cannot be created in its folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      );
    }
  }

  async write(csv: string): Promise<string> {
    return this.create(this.path, csv);
  }

  /** A companion beside the file: "print.csv" and "notices" give "print.notices.html". */
  async writeCompanion(name: string, html: string): Promise<string> {
    // Written whole, then renamed over what an interrupted attempt at the same chunk left.
    const path = this.path.replace(/(\.csv)?$/i, `.${name}.html`);
    await writeFile(`${path}.tmp`, html, { encoding: 'utf8', mode: 0o600 });
    await rename(`${path}.tmp`, path);
    return path;
  }

  private async create(path: string, content: string): Promise<string> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, 'wx', 0o600);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new PrintFileUnwritable(path, code === 'EEXIST' ? EXISTS : `cannot be created (${code})`);
    }
    try {
      await handle.writeFile(content, 'utf8');
    } finally {
      await handle.close();
    }
    return path;
  }

  private get partsDir(): string {
    return `${this.path}.parts`;
  }

  async writePart(chunk: number, csv: string): Promise<string> {
    await mkdir(this.partsDir, { recursive: true, mode: 0o700 });
    const part = join(this.partsDir, `part-${String(chunk).padStart(6, '0')}.csv`);
    // Written whole, then renamed over any part of an interrupted attempt at this chunk.
    await writeFile(`${part}.tmp`, csv, { encoding: 'utf8', mode: 0o600 });
    await rename(`${part}.tmp`, part);
    return part;
  }

  async finish(parts: readonly string[]): Promise<string | null> {
    if (parts.length === 0) {
      await rm(this.partsDir, { recursive: true, force: true });
      return null;
    }
    const partial = `${this.path}.partial`;
    const handle = await open(partial, 'w', 0o600);
    try {
      for (const [k, part] of parts.entries()) {
        await handle.writeFile(partBody(await readFile(part, 'utf8'), k), 'utf8');
      }
    } finally {
      await handle.close();
    }
    await access(this.path).then(
      () => {
        throw new PrintFileUnwritable(this.path, EXISTS);
      },
      () => undefined,
    );
    await rename(partial, this.path);
    await rm(this.partsDir, { recursive: true, force: true });
    return this.path;
  }
}

/** A part as it goes into the joined print file: one byte order mark and one header, the first part's. */
export function partBody(text: string, index: number): string {
  return index === 0 ? text : text.slice(text.indexOf('\r\n') + 2);
}

export class PrintFileUnwritable extends Error {
  constructor(
    readonly path: string,
    readonly why: string,
  ) {
    super(`the print file ${path} ${why}`);
    this.name = 'PrintFileUnwritable';
  }
}
