// proxyvote certificate: the inspectors' certificate of a count (FINAL for the final count, else
// PRELIMINARY), fetched from the admin API as the HTML page to print (or save as PDF from the browser)
// and the CSV of the same figures. Written outside the repository: into --out DIR, else a new folder
// under the operating system's temporary directory.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AdminRefused, adminClient } from './admin-client.ts';
import type { Out } from './io.ts';

export const CERTIFICATE_USAGE =
  '  certificate [--run ID|latest|final] [--out DIR] [--api URL]                        (inspector)\n' +
  "      The inspectors' certificate of a count (default: the final count): certificate-<run>.html to\n" +
  '      print or save as PDF from the browser, and certificate-<run>.csv. FINAL for the final count,\n' +
  '      PRELIMINARY for any other. Written into DIR, by default a new folder under the temp directory.\n';

interface Header {
  runId: string;
  kind: string;
  status: string;
}

/** Fetches the certificate of one run and writes its two files; says what it wrote. */
export async function certificateCommand(args: string[], io: Out): Promise<number> {
  try {
    return await writeCertificate(args, io);
  } catch (e) {
    if (!(e instanceof AdminRefused)) throw e;
    io.err(`proxyvote certificate: ${e.message}\n`);
    return 1;
  }
}

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
  const dir = values.out ? resolve(values.out) : await mkdtemp(join(tmpdir(), 'proxyvote-certificate-'));
  await mkdir(dir, { recursive: true });
  for (const [name, text] of files) await writeFile(join(dir, name), text, { mode: 0o600 });
  const mark = snapshot.kind === 'final' ? 'FINAL' : 'PRELIMINARY';
  io.out(
    `${mark} certificate of the ${snapshot.kind} count, run ${snapshot.runId}:\n` +
      files.map(([name]) => `  ${join(dir, name)}\n`).join('') +
      'Open the .html file in a browser and print it (or save it as PDF); the inspectors sign the printed copy.\n',
  );
  return 0;
}
