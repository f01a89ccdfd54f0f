// The count's Scans on more than one core: the count's own thread and worker threads each read a share
// of the parallel Scan's segments (segment s goes to thread s mod n), each with its own DynamoDB
// client; the workers do the per-item work
// that needs nothing else (the SDK's parsing, the holder hashes, the instruction bodies' checks, the
// accounts' chain heads). The main thread gets compact batches and does what needs the whole register
// (live.ts): the same code and the same result as a count on one thread.
//
// The worker is this module itself, started from the file that holds it: the source file (run with
// tsx) or the function's bundle (esbuild puts this module in it; the bundle's own top-level code runs
// in the worker too, so a bundle's entry must not start work when `isMainThread` is false). Each thread
// keeps at most a few batches unacknowledged, so a slow main thread holds the reads back.
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { currentFunctionName, runAsFunction } from '../aws/call-recorder.ts';
import { holderHash } from '../domain/tamper.ts';
import { itemToHolder } from '../register/holder-item.ts';
import { createDynamoClients, type DynamoEndpointConfig } from '../storage/dynamo-client.ts';
import { fastSha256, readAccount } from './account-reader.ts';
import { type ScanStats, scanSegments } from './scan.ts';

const WORKER_FLAG = 'proxyvoteScanWorker';
const HASH = 32;
/** Batches a thread may have handed over and not yet seen acknowledged. */
const IN_FLIGHT = 4;
const YOUNG_GENERATION_MB = 64;

export interface ThreadTask {
  kind: 'register' | 'votes';
  table: string;
  segments: number;
  /** votes: the digest's asOf. */
  asOf?: string | null;
  /** votes: accounts read by Query instead (their items are skipped). */
  skip?: readonly string[];
}

/** A batch of holders: account k's shares, nominee flag (1) and holder hash (32 bytes at k * 32). */
export interface HolderBatch {
  type: 'holders';
  accounts: string[];
  shares: number[];
  nominee: Uint8Array;
  hashes: Uint8Array;
}

/** A batch of accounts read from the votes table (see ReadAccount; heads 32 bytes each, zero when none). */
export interface AccountBatch {
  type: 'accounts';
  accounts: string[];
  itemCounts: number[];
  instructionCounts: number[];
  coveredCounts: number[];
  /** Bit 1: the account has a head; bit 2: an input head (with asOf). */
  hasHead: Uint8Array;
  heads: Uint8Array;
  inputHeads: Uint8Array | null;
  /** The instructions of every account in order, as one JSON array. */
  json: string;
  problems: string[];
}

type FromWorker =
  | HolderBatch
  | AccountBatch
  | { type: 'done'; stats: ScanStats }
  | { type: 'error'; message: string };

type ToWorker = { type: 'task'; task: ThreadTask; only: number[]; fn?: string } | { type: 'ack' };

/**
 * The count's Scans on `count` threads: the calling thread takes segment s when s mod count is 0
 * (`mainSegments`), worker thread k (1 to count - 1) when it is k. `close` ends the workers.
 */
export class ScanThreads {
  private readonly workers: Worker[];

  constructor(
    readonly count: number,
    dynamo: DynamoEndpointConfig,
  ) {
    const file = fileURLToPath(import.meta.url);
    // The source file (tests, `npm run bench` with tsx): tsx's loader first, registered in the thread.
    const source = file.endsWith('.ts');
    const boot = `(async () => { (await import('tsx/esm/api')).register(); await import(${JSON.stringify(import.meta.url)}); })()`;
    this.workers = Array.from(
      { length: count - 1 },
      () =>
        new Worker(source ? boot : file, {
          eval: source,
          workerData: { [WORKER_FLAG]: true, dynamo },
          env: process.env,
          // Room for the young generation: the Scan pages are short-lived garbage, and a small
          // nursery spends the thread's time in scavenges.
          resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
        }),
    );
  }

  /** The segments the calling thread scans itself. */
  mainSegments(segments: number): number[] {
    const only = [];
    for (let s = 0; s < segments; s += this.count) only.push(s);
    return only;
  }

  /** Runs the task on every thread over its share of the segments; `onBatch` is called on this thread. */
  async run(task: ThreadTask, onBatch: (batch: HolderBatch | AccountBatch) => void): Promise<ScanStats> {
    const fn = currentFunctionName();
    const all = await Promise.all(
      this.workers.map(
        (worker, k) =>
          new Promise<ScanStats>((resolve, reject) => {
            const only = [];
            for (let s = k + 1; s < task.segments; s += this.count) only.push(s);
            const onError = (e: Error) => {
              cleanup();
              reject(e);
            };
            const onExit = (code: number) => {
              cleanup();
              reject(new Error(`a scan worker thread stopped (exit code ${code})`));
            };
            const onMessage = (m: FromWorker) => {
              if (m.type === 'done') {
                cleanup();
                resolve(m.stats);
              } else if (m.type === 'error') {
                cleanup();
                reject(new Error(m.message));
              } else {
                try {
                  onBatch(m);
                } catch (e) {
                  cleanup();
                  reject(e);
                  return;
                }
                worker.postMessage({ type: 'ack' } satisfies ToWorker);
              }
            };
            const cleanup = () => {
              worker.off('message', onMessage);
              worker.off('error', onError);
              worker.off('exit', onExit);
            };
            worker.on('message', onMessage);
            worker.on('error', onError);
            worker.on('exit', onExit);
            worker.postMessage({ type: 'task', task, only, ...(fn ? { fn } : {}) } satisfies ToWorker);
          }),
      ),
    );
    return all.reduce(
      (s, x) => ({ pages: s.pages + x.pages, items: s.items + x.items, scanned: s.scanned + x.scanned }),
      { pages: 0, items: 0, scanned: 0 },
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

// ---------------------------------------------------------------------------------------------------
// The worker side.

function serve(dynamo: DynamoEndpointConfig): void {
  const port = parentPort;
  if (!port) return;
  const { doc } = createDynamoClients(dynamo);
  let unacked = 0;
  // Every segment of this thread may be waiting for an acknowledgement: each is woken and looks again.
  let waiting: Array<() => void> = [];
  const send = async (batch: HolderBatch | AccountBatch): Promise<void> => {
    unacked += 1;
    port.postMessage(batch);
    while (unacked >= IN_FLIGHT) await new Promise<void>((r) => waiting.push(r));
  };

  const register = (task: ThreadTask, only: number[]) =>
    scanSegments(doc, { table: task.table, segments: task.segments, types: ['holder'], only }, (items) => {
      const n = items.length;
      const batch: HolderBatch = {
        type: 'holders',
        accounts: new Array<string>(n),
        shares: new Array<number>(n),
        nominee: new Uint8Array(n),
        hashes: new Uint8Array(n * HASH),
      };
      for (let k = 0; k < n; k++) {
        const h = itemToHolder(items[k] as Record<string, unknown>);
        batch.accounts[k] = h.account;
        batch.shares[k] = h.shares;
        batch.nominee[k] = h.nominee ? 1 : 0;
        batch.hashes.set(holderHash(h, fastSha256), k * HASH);
      }
      return send(batch);
    });

  const votes = async (task: ThreadTask, only: number[]) => {
    const skip = new Set(task.skip ?? []);
    const asOf = task.asOf ?? null;
    const current = new Map<number, { account: string; items: Record<string, unknown>[] }>();
    let pending: ReturnType<typeof readAccount>[] = [];
    const flush = async () => {
      if (pending.length === 0) return;
      const list = pending;
      pending = [];
      const n = list.length;
      const batch: AccountBatch = {
        type: 'accounts',
        accounts: list.map((a) => a.account),
        itemCounts: list.map((a) => a.itemCount),
        instructionCounts: list.map((a) => a.texts.length),
        coveredCounts: list.map((a) => a.coveredCount),
        hasHead: new Uint8Array(n),
        heads: new Uint8Array(n * HASH),
        inputHeads: asOf === null ? null : new Uint8Array(n * HASH),
        json: `[${list.flatMap((a) => a.texts).join(',')}]`,
        problems: list.flatMap((a) => a.problems),
      };
      list.forEach((a, k) => {
        if (a.head) {
          batch.hasHead[k] = 1;
          batch.heads.set(a.head, k * HASH);
        }
        if (a.inputHead && batch.inputHeads) {
          batch.hasHead[k] = (batch.hasHead[k] ?? 0) | 2;
          batch.inputHeads.set(a.inputHead, k * HASH);
        }
      });
      await send(batch);
    };
    const stats = await scanSegments(
      doc,
      {
        table: task.table,
        segments: task.segments,
        types: ['instruction'],
        attributes: ['pk', 'sk', 'body'],
        only,
      },
      (items, segment) => {
        for (const item of items) {
          const pk = String(item.pk);
          const account = pk.startsWith(PK_PREFIX) ? pk.slice(PK_PREFIX.length) : null;
          if (account === null) {
            // Handed over on its own: the main thread names it.
            pending.push(outsideAccount(item));
            continue;
          }
          if (skip.has(account)) continue;
          const group = current.get(segment);
          if (group && group.account === account) group.items.push(item);
          else {
            if (group) pending.push(readAccount(group.account, group.items, asOf));
            current.set(segment, { account, items: [item] });
          }
        }
        return flush();
      },
    );
    for (const group of current.values()) pending.push(readAccount(group.account, group.items, asOf));
    await flush();
    return stats;
  };

  port.on('message', (m: ToWorker) => {
    if (m.type === 'ack') {
      unacked -= 1;
      const woken = waiting;
      waiting = [];
      for (const w of woken) w();
      return;
    }
    const work = () => (m.task.kind === 'register' ? register(m.task, m.only) : votes(m.task, m.only));
    const run = m.fn ? runAsFunction(m.fn, work) : work();
    run.then(
      (stats) => port.postMessage({ type: 'done', stats } satisfies FromWorker),
      (e: unknown) =>
        port.postMessage({
          type: 'error',
          message: e instanceof Error ? e.message : String(e),
        } satisfies FromWorker),
    );
  });
}

export const PK_PREFIX = 'ACCOUNT#';

/** An instruction item outside an ACCOUNT# partition: no account, one problem, nothing counted. */
function outsideAccount(item: Record<string, unknown>): ReturnType<typeof readAccount> {
  return {
    account: '',
    itemCount: 0,
    instructions: [],
    texts: [],
    coveredCount: 0,
    head: null,
    inputHead: null,
    problems: [`item ${String(item.pk)}/${String(item.sk)}: an instruction outside an ACCOUNT# partition`],
  };
}

const data = workerData as Record<string, unknown> | null;
if (!isMainThread && data?.[WORKER_FLAG] === true) serve(data.dynamo as DynamoEndpointConfig);
