// One timed tabulation in a process of its own (so its peak memory is its own), bundled by esbuild and
// run with plain `node`: BENCH_MODE=product runs the live tabulation (shared/tabulation/live.ts);
// BENCH_MODE=raw issues the same two parallel Scans (same segments, filter, projection, consistent
// reads) and only counts the items. Prints one line of JSON.
import { performance } from 'node:perf_hooks';
import { type DynamoDBDocumentClient, ScanCommand, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { parseMeeting } from '../shared/domain/meeting.ts';
import { createDynamoClients } from '../shared/storage/dynamo-client.ts';
import { liveTabulate } from '../shared/tabulation/live.ts';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

async function rawScan(
  doc: DynamoDBDocumentClient,
  table: string,
  segments: number,
  type: string,
  attributes?: string[],
): Promise<number> {
  let items = 0;
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let start: Record<string, unknown> | undefined;
      do {
        const input: ScanCommandInput = {
          TableName: table,
          Segment: segment,
          TotalSegments: segments,
          FilterExpression: '#type IN (:t0)',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: { ':t0': type },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        };
        if (attributes) {
          input.ProjectionExpression = attributes.map((_a, i) => `#a${i}`).join(', ');
          attributes.forEach((a, i) => {
            (input.ExpressionAttributeNames as Record<string, string>)[`#a${i}`] = a;
          });
        }
        const out = await doc.send(new ScanCommand(input));
        items += out.Items?.length ?? 0;
        start = out.LastEvaluatedKey;
      } while (start);
    }),
  );
  return items;
}

const mode = env('BENCH_MODE');
const segments = Number(env('BENCH_SEGMENTS'));
const expected = Number(env('BENCH_ACCOUNTS'));
const tables = {
  register: env('REGISTER_TABLE'),
  votes: env('VOTES_TABLE'),
  operations: env('OPERATIONS_TABLE'),
};
const meeting = parseMeeting(env('MEETING_JSON'), 'MEETING_JSON');
const { doc } = createDynamoClients({ endpoint: env('DYNAMODB_ENDPOINT') });

const t0 = performance.now();
let items: number;
if (mode === 'raw') {
  const holders = await rawScan(doc, tables.register, segments, 'holder');
  const instructions = await rawScan(doc, tables.votes, segments, 'instruction', ['pk', 'sk', 'body']);
  if (holders !== expected || instructions !== expected)
    throw new Error(`raw scan read ${holders} holders and ${instructions} instructions, not ${expected}`);
  items = holders + instructions;
} else {
  const live = await liveTabulate(doc, tables, meeting, {
    cumulative: false,
    segments,
    asOf: null,
    pollsClosedAt: null,
  });
  const { stats, result } = live;
  if (
    stats.holders !== expected ||
    stats.accountsWithInstructions !== expected ||
    result.accounts.total !== expected
  )
    throw new Error(
      `the count saw ${stats.holders} holders, ${stats.accountsWithInstructions} accounts with instructions, not ${expected}`,
    );
  items = stats.holders + stats.instructions;
}
const ms = performance.now() - t0;
process.stdout.write(
  `${JSON.stringify({ mode, ms, items, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
