// submit-c1, submit-c16: proxy submissions through the whole local path (HTTP adapter -> middy
// handler -> DynamoDB Local; the confirmation e-mail no longer goes inside the request: the
// confirmations worker sends it from the votes stream) against the least a correct submission needs,
// issued directly at the same concurrency: one BatchGetItem (the holder by control-number hash, and
// the source's failed-guess counter) and one TransactWriteItems of two items (append the instruction,
// move the effective pointer). Raw and product slices alternate (ABBA) in one run.
import { createHash, randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { BatchGetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { routes } from '../functions/routes.ts';
import { canonicalJson } from '../shared/domain/canonical.ts';
import { controlNumberHash, newReceiptCode } from '../shared/domain/control-number.ts';
import { viewerKey } from '../shared/domain/guess-limit.ts';
import type { Instruction, Votes } from '../shared/domain/instruction.ts';
import { parseMeeting } from '../shared/domain/meeting.ts';
import { orderKey } from '../shared/domain/revocation.ts';
import { startHttpAdapter } from '../shared/local/http-adapter.ts';
import { syntheticRegister } from '../shared/register/synthetic.ts';
import { guessKey } from '../shared/storage/guess-limiter.ts';
import { accountPk, controlKey, EFFECTIVE_SK, INSTRUCTION_PREFIX } from '../shared/storage/vote-store.ts';
import { importHolders } from '../shared/voting/register-import.ts';
import type { BenchResult } from './support/results.ts';
import { createBenchTables, handlerEnv, MEETING_JSON, newSecretHex, type Services } from './support/stack.ts';
import { median, pool, round, runSlice, type Slice } from './support/stats.ts';

/** Issue 16's targets: at least 0.8 of the raw calls at one submission in flight, 0.7 at sixteen. */
export const submitTarget = (concurrency: number): number => (concurrency === 1 ? 0.8 : 0.7);

const VOTES: Votes = {
  '1': {
    marks: {
      darlington: 'FOR',
      johnson: 'FOR',
      steffenhagen: 'WITHHOLD',
      wallace: 'FOR',
      belisle: 'FOR',
    },
  },
  '2': 'AGAINST',
};

export interface SubmitOptions {
  /** Each timed slice, ms. */
  sliceMs: number;
  /** Raw/product pairs per concurrency (alternating ABBA). */
  pairs: number;
  warmupMs: number;
  log: (line: string) => void;
}

interface Post {
  status: number;
  body: string;
}

function post(agent: Agent, port: number, path: string, payload: string): Promise<Post> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export async function benchSubmit(services: Services, options: SubmitOptions): Promise<BenchResult[]> {
  const { log } = options;
  const meeting = parseMeeting(MEETING_JSON, 'MEETING_JSON');
  const tables = await createBenchTables(services.dynamo.endpoint, 'submit');
  const { doc } = tables.clients;
  const secretHex = newSecretHex();
  const secret = Buffer.from(secretHex, 'hex');
  const holders = syntheticRegister(meeting.sharesOutstanding);
  const { issued } = await importHolders(doc, tables.names, holders, secret, randomBytes, { concurrency: 8 });
  const controls = holders.map((h) => issued.get(h.account) as string);
  const hashes = controls.map((c) => controlNumberHash(c, secret));
  const accounts = holders.map((h) => h.account);
  const n = holders.length;
  const withEmail = holders.filter((h) => h.email).length;
  log(
    `  register: ${n} holders imported, ${withEmail} with e-mail (their confirmations go from the votes stream, not measured here)`,
  );

  Object.assign(process.env, {
    ...handlerEnv({
      names: tables.names,
      dynamoEndpoint: services.dynamo.endpoint,
      sesEndpoint: services.ses.endpoint,
      secretHex,
    }),
  });
  const api = await startHttpAdapter({ routes, port: 0 });
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const runTag = randomBytes(4).toString('hex');
  let sequence = 0;

  const product = async (i: number): Promise<void> => {
    const k = i % n;
    const payload = JSON.stringify({
      controlNumber: controls[k],
      votes: VOTES,
      idempotencyKey: `bench-${runTag}-${sequence++}`,
    });
    const res = await post(agent, api.port, '/api/proxy', payload);
    if (res.status !== 201) throw new Error(`POST /api/proxy answered ${res.status}: ${res.body}`);
  };

  // The raw path: the same calls a submission cannot do without, built as the product builds them
  // (the same item sizes), on accounts of their own so they never move the product's pointers.
  const offset = Number(process.env.CLOCK_OFFSET_MS ?? 0);
  /** The source address of the raw side's submissions: its failed-guess counter is read, as the product reads one. */
  const RAW_SOURCE = '10.9.9.9';
  const raw = async (i: number): Promise<void> => {
    const k = i % n;
    const read = await doc.send(
      new BatchGetCommand({
        RequestItems: {
          [tables.names.register]: { Keys: [controlKey(hashes[k] as string)] },
          [tables.names.operations]: { Keys: [guessKey(viewerKey(RAW_SOURCE))] },
        },
      }),
    );
    const got = { Item: read.Responses?.[tables.names.register]?.[0] };
    if (!got.Item) throw new Error('raw BatchGetItem found no control item');
    const account = `RAW-${accounts[k]}`;
    const key = `bench-${runTag}-${sequence++}`;
    const instruction: Instruction = {
      id: `net-${createHash('sha256').update(`${account}\n${key}`).digest('hex').slice(0, 32)}`,
      account,
      kind: 'proxy',
      channel: 'internet',
      receivedAt: new Date(Date.now() + offset).toISOString(),
      signedBy: String(got.Item.name),
      votes: VOTES,
    };
    const body = canonicalJson(instruction);
    const order = orderKey(instruction, meeting.timeZone);
    const receipt = newReceiptCode(randomBytes);
    const pk = accountPk(account);
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tables.names.votes,
              Item: {
                pk,
                sk: `${INSTRUCTION_PREFIX}${instruction.id}`,
                type: 'instruction',
                account,
                orderKey: order,
                receiptCode: receipt,
                body,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Update: {
              TableName: tables.names.votes,
              Key: { pk, sk: EFFECTIVE_SK },
              UpdateExpression:
                'SET #type = :type, account = :account, orderKey = :key, receiptCode = :receipt, body = :body',
              ConditionExpression: 'attribute_not_exists(orderKey) OR orderKey < :key',
              ExpressionAttributeNames: { '#type': 'type' },
              ExpressionAttributeValues: {
                ':type': 'effective',
                ':account': account,
                ':key': order,
                ':receipt': receipt,
                ':body': body,
              },
            },
          },
        ],
      }),
    );
  };

  const results: BenchResult[] = [];
  try {
    // Warm-up: the handler's cold start, both JITs, the connection pools.
    await runSlice(product, { concurrency: 16, durationMs: options.warmupMs });
    await runSlice(raw, { concurrency: 16, durationMs: options.warmupMs });
    for (const concurrency of [1, 16]) {
      const rawSlices: Slice[] = [];
      const productSlices: Slice[] = [];
      const slice = { concurrency, durationMs: options.sliceMs };
      for (let pair = 0; pair < options.pairs; pair++) {
        // ABBA: raw first on even pairs, product first on odd ones, so drift cancels.
        if (pair % 2 === 0) {
          rawSlices.push(await runSlice(raw, slice));
          productSlices.push(await runSlice(product, slice));
        } else {
          productSlices.push(await runSlice(product, slice));
          rawSlices.push(await runSlice(raw, slice));
        }
      }
      const r = pool(rawSlices);
      const p = pool(productSlices);
      const ratio = p.rate / r.rate;
      const pairRatios = productSlices.map((s, j) => {
        const rs = rawSlices[j] as Slice;
        return round(s.ops / s.ms / (rs.ops / rs.ms), 3);
      });
      const medianPairRatio = median(pairRatios);
      log(
        `  c${concurrency}: product ${p.rate.toFixed(0)}/s (p50 ${p.p50.toFixed(2)} ms, p99 ${p.p99.toFixed(2)} ms), raw ${r.rate.toFixed(0)}/s (p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms), ratio ${ratio.toFixed(3)}; per pair ${pairRatios.join(' ')}`,
      );
      results.push({
        name: `submit-c${concurrency}`,
        value: round(p.rate, 1),
        unit: 'submissions/s',
        raw: round(r.rate, 1),
        ratio: round(ratio, 3),
        target: `ratio >= ${submitTarget(concurrency)}`,
        pass: ratio >= submitTarget(concurrency),
        p50Ms: round(p.p50, 2),
        p99Ms: round(p.p99, 2),
        rawP50Ms: round(r.p50, 2),
        rawP99Ms: round(r.p99, 2),
        details: {
          concurrency,
          submissions: p.ops,
          rawSubmissions: r.ops,
          pairRatios,
          medianPairRatio,
          rawIs:
            'BatchGetItem (control item + the source address failed-guess counter) + TransactWriteItems (put instruction, update EFFECTIVE), lib-dynamodb',
          productIs:
            'POST /api/proxy through the HTTP adapter (the confirmation is not in the request: the confirmations worker sends it from the votes stream)',
          shareWithConfirmationEmail: round(withEmail / n, 3),
        },
      });
    }
  } finally {
    agent.destroy();
    await api.close();
    await tables.drop();
    tables.clients.client.destroy();
  }
  return results;
}
