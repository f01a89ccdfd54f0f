// import-100k: the register import (shared/notices/import.ts: CSV parsed, numbers drawn and hashed,
// holder, control and link items written in transactions of 33 holders, a print part rendered per
// chunk for the paper holders, queue messages, each chunk recorded in the operations table) against
// the raw cost of the same writes: TransactWriteItems of the same 99 items (holder, control, link)
// prepared beforehand, at the same concurrency (8 transactions in flight). Both sides write into the
// same DynamoDB Local tables, in slices of SLICE holders alternating product and raw (ABBA), so the
// machine's load falls on both alike. Half the holders are on paper (a print row each), half by
// e-mail (a message each, to an in-memory queue: SQS is not local). CPU time of this process is
// reported beside wall time. Also used by `npm run bench:import -- --holders N` for one long run.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Holder } from '../shared/domain/holder.ts';
import { parseMeeting } from '../shared/domain/meeting.ts';
import { serializeRegister } from '../shared/domain/register.ts';
import { importRegister } from '../shared/notices/import.ts';
import { FilePrintSink } from '../shared/notices/print-sink.ts';
import { holderToItem } from '../shared/register/holder-item.ts';
import { controlKey, linkKey } from '../shared/storage/vote-store.ts';
import type { BenchResult } from './support/results.ts';
import { createBenchTables, MEETING_JSON, type Services } from './support/stack.ts';
import { round } from './support/stats.ts';

export const IMPORT_TARGET = 0.8;

export interface ImportBenchOptions {
  /** Holders per side. */
  holders: number;
  /** Holders per slice; product and raw slices alternate (ABBA). */
  slice: number;
  log: (line: string) => void;
}

const meeting = parseMeeting(MEETING_JSON, 'MEETING_JSON');

function sliceHolders(tag: string, n: number): Holder[] {
  const holders: Holder[] = Array.from({ length: n - 1 }, (_, i) => ({
    account: `${tag}${String(i).padStart(7, '0')}`,
    name: `Holder ${tag} ${i}`,
    jointNames: [],
    email: i % 2 === 0 ? `h${i}.${tag.toLowerCase()}@example.com` : null,
    eDelivery: i % 2 === 0,
    mailingAddress: `${100 + (i % 9000)} Elm Street\nLos Angeles, CA 90024`,
    shares: 1,
    nominee: false,
  }));
  holders.push({
    account: `${tag}REST`,
    name: `Rest ${tag}`,
    jointNames: [],
    email: null,
    eDelivery: false,
    mailingAddress: '1 Main Street\nLos Angeles, CA 90024',
    shares: meeting.sharesOutstanding - (n - 1),
    nominee: false,
  });
  return holders;
}

const hex = () => randomBytes(32).toString('hex');

/** The bare writes of the product's transactions: 33 holders x (holder, control, link) each. */
function rawTransactions(register: string, holders: readonly Holder[]) {
  const out: TransactWriteCommand[] = [];
  for (let i = 0; i < holders.length; i += 33) {
    out.push(
      new TransactWriteCommand({
        TransactItems: holders.slice(i, i + 33).flatMap((h) => {
          const controlHash = hex();
          const { pk: _pk, sk: _sk, ...attrs } = holderToItem(h);
          const cond = 'attribute_not_exists(pk)';
          return [
            {
              Put: {
                TableName: register,
                Item: { ...holderToItem(h), controlHash },
                ConditionExpression: cond,
              },
            },
            {
              Put: {
                TableName: register,
                Item: { ...controlKey(controlHash), ...attrs, type: 'control' },
                ConditionExpression: cond,
              },
            },
            {
              Put: {
                TableName: register,
                Item: { ...linkKey(hex()), type: 'link', controlHash, expiresAt: 1_023_926_400 },
                ConditionExpression: cond,
              },
            },
          ];
        }),
      }),
    );
  }
  return out;
}

interface Side {
  wallMs: number;
  cpuMs: number;
  holders: number;
}

export async function benchImport(services: Services, o: ImportBenchOptions): Promise<BenchResult[]> {
  const tables = await createBenchTables(services.dynamo.endpoint, 'import');
  const tmp = mkdtempSync(join(tmpdir(), 'proxyvote-bench-import-'));
  const secret = randomBytes(32);
  const product: Side = { wallMs: 0, cpuMs: 0, holders: 0 };
  const raw: Side = { wallMs: 0, cpuMs: 0, holders: 0 };
  let queued = 0;
  const timed = async (side: Side, n: number, work: () => Promise<void>) => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await work();
    side.wallMs += performance.now() - t0;
    const c = process.cpuUsage(c0);
    side.cpuMs += (c.user + c.system) / 1000;
    side.holders += n;
  };
  try {
    const slices = Math.ceil(o.holders / o.slice);
    for (let s = 0; s < slices; s++) {
      const n = Math.min(o.slice, o.holders - s * o.slice);
      const doProduct = async () => {
        const csvText = serializeRegister(sliceHolders(`P${s}X`, n));
        await timed(product, n, async () => {
          const result = await importRegister({
            csvText,
            source: `bench-${s}.csv`,
            meeting,
            doc: tables.clients.doc,
            tables: tables.names,
            secret,
            randomBytes,
            queue: {
              enqueue: async (m) => {
                queued += m.length;
              },
            },
            printSink: new FilePrintSink(join(tmp, `print-${s}.csv`)),
            ballotUrl: 'https://vote.example.com/vote',
          });
          if (result.imported !== n) throw new Error(`imported ${result.imported} of ${n}`);
        });
        rmSync(join(tmp, `print-${s}.csv`), { force: true });
      };
      const doRaw = async () => {
        const commands = rawTransactions(tables.names.register, sliceHolders(`R${s}X`, n));
        await timed(raw, n, async () => {
          const queue = [...commands];
          await Promise.all(
            Array.from({ length: 8 }, async () => {
              for (let c = queue.shift(); c; c = queue.shift()) await tables.clients.doc.send(c);
            }),
          );
        });
      };
      // ABBA: product first in even slices, raw first in odd ones.
      if (s % 2 === 0) {
        await doProduct();
        await doRaw();
      } else {
        await doRaw();
        await doProduct();
      }
      o.log(
        `  slice ${s + 1}/${slices}: product ${Math.round((product.holders / product.wallMs) * 1000)} holders/s, raw ${Math.round((raw.holders / raw.wallMs) * 1000)} holders/s so far`,
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    await tables.drop();
  }
  const value = (product.holders / product.wallMs) * 1000;
  const rawRate = (raw.holders / raw.wallMs) * 1000;
  const ratio = value / rawRate;
  return [
    {
      name: `import-${o.holders >= 1_000_000 ? `${o.holders / 1_000_000}m` : `${o.holders / 1000}k`}`,
      value: round(value, 0),
      unit: 'holders/s',
      raw: round(rawRate, 0),
      ratio: round(ratio, 3),
      target: `ratio >= ${IMPORT_TARGET}`,
      pass: ratio >= IMPORT_TARGET,
      cpuMsPerHolder: round(product.cpuMs / product.holders, 3),
      rawCpuMsPerHolder: round(raw.cpuMs / raw.holders, 3),
      wallSeconds: round(product.wallMs / 1000, 1),
      rawWallSeconds: round(raw.wallMs / 1000, 1),
      queued,
      note: `slices of ${o.slice.toLocaleString('en-US')} alternating; CPU ${round(product.cpuMs / product.holders, 3)} ms/holder vs raw ${round(raw.cpuMs / raw.holders, 3)}`,
    },
  ];
}

// `node --import tsx bench/import.ts --holders N [--slice S]`: this measure alone, on its own services.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { parseArgs } = await import('node:util');
  const { loadavg } = await import('node:os');
  const { startServices } = await import('./support/stack.ts');
  const { values } = parseArgs({
    options: { holders: { type: 'string', default: '100000' }, slice: { type: 'string', default: '10000' } },
  });
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  console.log(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const services = await startServices();
  try {
    const [r] = await benchImport(services, {
      holders: Number(values.holders),
      slice: Number(values.slice),
      log: console.log,
    });
    console.log(JSON.stringify(r, null, 2));
  } finally {
    await services.stop();
  }
  console.log(
    `load average at end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}
