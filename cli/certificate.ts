// proxyvote certificate: the inspectors' certificate of a count (FINAL for the final count, else
// PRELIMINARY), fetched from the admin API as the HTML page to print (or save as PDF from the browser)
// and the CSV of the same figures. Written outside the repository: into --out DIR, else the CLI's output
// folder (cli/io.ts outputDir).
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AdminRefused, adminClient } from './admin-client.ts';
import type { Command } from './command.ts';
import { type Out, outputDir, warnIfInRepository } from './io.ts';

export const certificateCommands: Command[] = [
  {
    name: 'certificate',
    summary: "The inspectors' certificate of a count (FINAL or PRELIMINARY), as HTML to print and CSV.",
    synopsis: '[--run ID|latest|final] [--out DIR] [--api URL]',
    role: 'inspector',
    details:
      'Writes certificate-<run>.html (open it in a browser, print it or save it as PDF: the pages are\n' +
      'numbered) and certificate-<run>.csv with the same figures. Default run: the final count; FINAL\n' +
      'only for it, PRELIMINARY for any other. Default folder: ~/proxyvote-output (PROXYVOTE_OUTPUT_DIR),\n' +
      'never the repository. The steps of the certification: docs/inspector.md.',
    run: (args, io) => writeCertificate(args, io),
  },
];

interface Header {
  runId: string;
  kind: string;
  status: string;
}

/** Fetches the certificate of one run and writes its two files; says what it wrote. */
async function writeCertificate(args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { api: { type: 'string' }, run: { type: 'string', default: 'final' }, out: { type: 'string' } },
    strict: true,
  });
  const api = adminClient(values);
  const ref = values.run;
  const res = await api.request('GET', `/admin/tally/${encodeURIComponent(ref)}`);
  if (res.status === 404) {
    io.err(
      `proxyvote certificate: no count "${ref}"${ref === 'final' ? ' yet (the final count is made after the polls close; --run latest gives a preliminary certificate)' : ' (give a run id, latest or final)'}\n`,
    );
    return 1;
  }
  if (!res.ok) throw new AdminRefused(res.status, res.text);
  const { snapshot } = JSON.parse(res.text) as { snapshot: Header };
  if (snapshot.status !== 'complete') {
    io.err(`proxyvote certificate: run ${snapshot.runId} failed: it has no count to certify\n`);
    return 1;
  }
  // The run's own id from here on, so that "latest" cannot move between the two reads.
  const path = `/admin/tally/${encodeURIComponent(snapshot.runId)}`;
  const files: Array<[string, string]> = [];
  for (const format of ['html', 'csv'] as const) {
    const part = await api.request('GET', path, { query: { format } });
    if (!part.ok) throw new AdminRefused(part.status, part.text);
    files.push([`certificate-${snapshot.runId}.${format}`, part.text]);
  }
  const dir = values.out ? resolve(values.out) : outputDir();
  await mkdir(dir, { recursive: true });
  if (values.out) warnIfInRepository(io, dir, 'the names of holders in conflict');
  for (const [name, text] of files) await writeFile(join(dir, name), text, { mode: 0o600 });
  const mark = snapshot.kind === 'final' ? 'FINAL' : 'PRELIMINARY';
  io.out(
    `${mark} certificate of the ${snapshot.kind} count, run ${snapshot.runId}:\n` +
      files.map(([name]) => `  ${join(dir, name)}\n`).join('') +
      'Open the .html file in a browser and print it (or save it as PDF); the inspectors sign the printed copy.\n',
  );
  return 0;
}
