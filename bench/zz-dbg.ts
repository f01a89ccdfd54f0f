import { spawn } from 'node:child_process';
import { buildChild } from './tabulate.ts';

await buildChild();

import { startScanServer } from '../bench/support/scan-server.ts';
import { AS_OF, MEETING_JSON } from '../bench/support/stack.ts';
import { InstructionItems, sharesOutstanding } from '../bench/support/tab-data.ts';
import { parseMeeting } from '../shared/domain/meeting.ts';
import { tableEnvironment, tableNames } from '../shared/storage/tables.ts';

const n = Number(process.argv[2] ?? 10000);
const meeting = parseMeeting(MEETING_JSON, 'MEETING_JSON');
const items = new InstructionItems(meeting.timeZone, Date.parse(AS_OF) - 86_400_000);
const names = tableNames('hemacare-2002', 'dbg');
const server = await startScanServer({
  registerTable: names.register,
  votesTable: names.votes,
  accounts: n,
  items,
});
const json = JSON.parse(MEETING_JSON);
json.sharesOutstanding = sharesOutstanding(n);
for (const mode of (process.argv[3] ?? 'raw,product').split(',')) {
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const c = spawn(process.execPath, ['/work/wa/node_modules/.cache/proxyvote-bench/tabulate-child.mjs'], {
      env: {
        PATH: process.env.PATH,
        ...tableEnvironment(names),
        DYNAMODB_ENDPOINT: server.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'y',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        MEETING_JSON: JSON.stringify(json),
        BENCH_SEGMENTS: '16',
        BENCH_THREADS: process.env.T ?? '2',
        BENCH_ACCOUNTS: String(n),
        BENCH_MODE: mode,
      },
      stdio: 'inherit',
    });
    c.on('close', (code) => {
      console.log(mode, 'exit', code, (performance.now() - t0).toFixed(0), 'ms');
      resolve();
    });
  });
}
await server.close();
