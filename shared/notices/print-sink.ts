// A print file on the local disk: created new (never over another print file, whose numbers would be
// lost), readable by its owner only. prepare() checks before anything is imported or re-issued that
// the file can be created; write() creates it.
import { constants } from 'node:fs';
import { access, open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
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
    return this.create(this.path.replace(/(\.csv)?$/i, `.${name}.html`), html);
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
