// A register import cut short and resumed: one killed (SIGKILL) in the middle of a chunk, after the
// chunk's holders, numbers, print part and queue messages were written but before the chunk was
// recorded as done; one stopped between two chunks (as the function does near its time limit), its
// progress read through the admin API and `proxyvote register status`. Either way, once resumed,
// every holder has exactly one working control number, handed on exactly once: one valid queued
// notice (e-delivery) or one print row (paper), and nothing else that works.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { main } from '../../cli/proxyvote.ts';
import { routes } from '../../functions/routes.ts';
import { runAsFunction } from '../../shared/aws/call-recorder.ts';
import { controlNumberHash } from '../../shared/domain/control-number.ts';
import type { Holder } from '../../shared/domain/holder.ts';
import { readPrintFile } from '../../shared/domain/print-file.ts';
import { serializeRegister } from '../../shared/domain/register.ts';
import { type HttpAdapter, startHttpAdapter } from '../../shared/local/http-adapter.ts';
import { type ImportRegisterResult, importRegister } from '../../shared/notices/import.ts';
import { ImportCheckpoints } from '../../shared/notices/import-checkpoint.ts';
import type { NoticeMessage } from '../../shared/notices/message.ts';
import { FilePrintSink } from '../../shared/notices/print-sink.ts';
import { holder } from '../support/builders.ts';
import { setHandlerEnv } from '../support/local-env.ts';
import { BALLOT_URL, itemsOfType, meeting, type NoticeTables, noticeTables } from '../support/notices.ts';
import { localOperators } from '../support/operators.ts';

const SECRET = randomBytes(32).toString('hex');
const KEY = Buffer.from(SECRET, 'hex');
const tmp = mkdtempSync(join(tmpdir(), 'proxyvote-import-resume-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** e-delivery and paper holders alternating (every chunk has both), and REST with the other shares. */
function register(label: string, n: number): Holder[] {
  const tag = randomBytes(3).toString('hex');
  const holders = Array.from({ length: n }, (_, i) =>
    i % 2 === 0
      ? holder(`E-${i}`, 100, { email: `${label}.e${i}.${tag}@example.com`, eDelivery: true })
      : holder(`P-${i}`, 100),
  );
  holders.push(holder('REST', meeting.sharesOutstanding - n * 100));
  return holders;
}

/** A notice queue that keeps what it was given in a file, as SQS keeps it after the sender dies. */
const fileQueue = (file: string) => ({
  enqueue: async (messages: readonly NoticeMessage[]) => {
    const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
    writeFileSync(file, before + messages.map((m) => `${JSON.stringify(m)}\n`).join(''));
  },
});
const messagesIn = (file: string): NoticeMessage[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as NoticeMessage);

/**
 * What a finished import must leave: each holder one control item (the one its hash names), each
 * e-delivery holder exactly one queued message with that number (others are stale: the sender skips
 * a number that is not the holder's), each paper holder exactly one print row with it.
 */
async function expectEachHolderHandedOnOnce(
  t: NoticeTables,
  holders: Holder[],
  messages: NoticeMessage[],
  printFile: string,
) {
  const items = await itemsOfType(t.doc, t.names.register, 'holder');
  expect(items).toHaveLength(holders.length);
  const hashOf = new Map(items.map((i) => [String(i.account), String(i.controlHash)]));
  const controls = await itemsOfType(t.doc, t.names.register, 'control');
  expect(controls).toHaveLength(holders.length);
  expect(new Set(controls.map((c) => String(c.pk)))).toEqual(
    new Set(holders.map((h) => `CONTROL#${hashOf.get(h.account)}`)),
  );
  for (const c of controls) expect(`CONTROL#${hashOf.get(String(c.account))}`).toBe(c.pk);

  const working = messages.filter((m) => controlNumberHash(m.controlNumber, KEY) === hashOf.get(m.account));
  const eDelivery = holders.filter((h) => h.eDelivery).map((h) => h.account);
  expect(working.map((m) => m.account).sort()).toEqual([...eDelivery].sort());

  const rows = readPrintFile(readFileSync(printFile, 'utf8'));
  const paper = holders.filter((h) => !h.eDelivery).map((h) => h.account);
  expect(rows.map((r) => r.account).sort()).toEqual([...paper].sort());
  for (const r of rows) {
    const digits = String(r.control_number).replace(/\D/g, '');
    expect(controlNumberHash(digits, KEY)).toBe(hashOf.get(String(r.account)));
  }
  const numbers = [...working.map((m) => m.controlNumber), ...rows.map((r) => String(r.control_number))];
  expect(new Set(numbers.map((n) => n.replace(/\D/g, ''))).size).toBe(holders.length);
  return { working, stale: messages.filter((m) => !working.includes(m)) };
}

function resume(t: NoticeTables, holders: Holder[], queueFile: string, printFile: string, extra = {}) {
  return runAsFunction('register-import', () =>
    importRegister({
      csvText: serializeRegister(holders),
      source: 'register.csv',
      meeting,
      doc: t.doc,
      tables: t.names,
      secret: KEY,
      randomBytes,
      queue: fileQueue(queueFile),
      printSink: new FilePrintSink(printFile),
      ballotUrl: BALLOT_URL,
      chunkSize: 8,
      leaseMs: 1_500,
      maxLeaseWaitMs: 30_000,
      ...extra,
    }),
  );
}

describe('a register import killed in the middle of a chunk', () => {
  let t: NoticeTables;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    t = await noticeTables('import-kill');
  });
  afterAll(async () => {
    if (child?.pid && child.exitCode === null && child.signalCode === null)
      process.kill(child.pid, 'SIGKILL');
    await t.drop();
  });

  it('resumes from the last chunk recorded: the interrupted chunk gets new numbers, nothing is lost or doubled', async () => {
    const holders = register('kill', 59);
    const registerFile = join(tmp, 'kill.csv');
    const queueFile = join(tmp, 'kill-messages.jsonl');
    const printFile = join(tmp, 'kill-print.csv');
    writeFileSync(registerFile, serializeRegister(holders));
    child = spawn(process.execPath, ['--import', 'tsx', 'test/support/import-child.ts'], {
      env: {
        ...process.env,
        DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
        TABLES: JSON.stringify(t.names),
        REGISTER_FILE: registerFile,
        MEETING_FILE: 'meetings/hemacare-2002.json',
        MESSAGES_FILE: queueFile,
        PRINT_FILE: printFile,
        CONTROL_SECRET: SECRET,
        BALLOT_URL,
        CHUNK_SIZE: '8',
        LEASE_MS: '1500',
        // From the third chunk's messages on, they reach the queue, then the chunk hangs; killed.
        STOP_AT_ENQUEUE: '3',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child?.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('stuck')) resolve();
      });
      child?.on('exit', (code) =>
        reject(new Error(`the import ended (${code}) before it was killed: ${out}`)),
      );
    });
    const exited = new Promise((r) => child?.once('exit', r));
    process.kill(child.pid as number, 'SIGKILL');
    await exited;
    const checkpoints = new ImportCheckpoints(t.doc, t.names);
    const [killed] = await checkpoints.jobs();
    expect(killed).toMatchObject({ status: 'running', chunks: 8 });
    const doneAtKill = new Set((await checkpoints.doneChunks(killed?.jobId ?? '')).map((d) => d.chunk));
    expect(killed?.chunksDone).toBe(doneAtKill.size);
    expect(doneAtKill.size).toBeLessThan(8);
    // Holders the killed run wrote in chunks it never recorded as done: their numbers were lost.
    const written = await itemsOfType(t.doc, t.names.register, 'holder');
    const cutShort = written.filter((h) => !doneAtKill.has(Number(h.importChunk)));
    expect(cutShort.length).toBeGreaterThan(0);
    // Killed: its print file was never joined.
    expect(existsSync(printFile)).toBe(false);

    // The resumed run waits for the killed one's lease to lapse, then goes on.
    const result: ImportRegisterResult = await resume(t, holders, queueFile, printFile);
    expect(result).toMatchObject({
      complete: true,
      resumed: true,
      holders: 60,
      imported: 60,
      unchanged: 0,
      queued: 30,
      printed: 30,
      reissued: cutShort.length,
      chunks: { done: 8, total: 8 },
      printFile,
    });
    const { stale } = await expectEachHolderHandedOnOnce(t, holders, messagesIn(queueFile), printFile);
    // The killed run's messages of the chunks it never recorded carry numbers that no longer work.
    const cutShortAccounts = new Set(cutShort.map((h) => String(h.account)));
    expect(stale.length).toBeGreaterThan(0);
    for (const m of stale) expect(cutShortAccounts.has(m.account)).toBe(true);
    expect(existsSync(`${printFile}.parts`)).toBe(false);
    expect(await checkpoints.job(result.jobId)).toMatchObject({ status: 'done', resumes: 1, chunksDone: 8 });

    // The same file again: nothing issued, queued or printed.
    const again = await resume(t, holders, queueFile, join(tmp, 'kill-print-again.csv'));
    expect(again).toMatchObject({ imported: 0, unchanged: 60, queued: 0, printed: 0, printFile: null });
    expect(messagesIn(queueFile)).toHaveLength(30 + stale.length);
  });
});

describe('a register import stopped between chunks, its progress read by the operator', () => {
  let t: NoticeTables;
  let api: HttpAdapter;
  const operators = localOperators();
  beforeAll(async () => {
    t = await noticeTables('import-stop');
    setHandlerEnv(t.names);
    api = await startHttpAdapter({
      routes: routes.filter((r) => r.path === '/admin/imports'),
      port: 0,
      adminKeys: operators.all,
    });
  });
  afterAll(async () => {
    await api.close();
    await t.drop();
  });

  const status = async () => {
    const res = await operators
      .client(api.url, 'supervisor')
      .getJson<{ imports: Record<string, unknown>[] }>('/admin/imports');
    return res.imports;
  };

  it('reports chunks done of the total and holders handed on, stalled until run again, then done', async () => {
    const holders = register('stop', 39);
    const queueFile = join(tmp, 'stop-messages.jsonl');
    const printFile = join(tmp, 'stop-print.csv');
    let chunks = 0;
    const first = await resume(t, holders, queueFile, printFile, {
      shouldStop: () => chunks++ >= 3,
    });
    expect(first).toMatchObject({
      complete: false,
      chunks: { done: 3, total: 5 },
      imported: 24,
      printFile: null,
    });
    expect(await status()).toEqual([
      expect.objectContaining({ state: 'stalled', chunksDone: 3, chunks: 5, holders: 40, imported: 24 }),
    ]);
    const cli: string[] = [];
    const code = await operators.asProfile('supervisor', api.url, () =>
      main(['register', 'status'], { out: (s) => cli.push(s), err: (s) => cli.push(s) }),
    );
    expect(code).toBe(0);
    expect(cli.join('')).toMatch(/register\.csv .*: stalled; chunks 3 of 5; holders 24 of 40/);
    expect(cli.join('')).toMatch(/Import the same file again/);
    expect((await operators.client(api.url, 'clerk').request('GET', '/admin/imports')).status).toBe(403);

    const second = await resume(t, holders, queueFile, printFile);
    expect(second).toMatchObject({ complete: true, resumed: true, reissued: 0, imported: 40, queued: 20 });
    await expectEachHolderHandedOnOnce(t, holders, messagesIn(queueFile), printFile);
    expect(messagesIn(queueFile)).toHaveLength(20);
    expect(await status()).toEqual([
      expect.objectContaining({ state: 'done', chunksDone: 5, chunks: 5, printed: 20, printFile }),
    ]);
  });
});
