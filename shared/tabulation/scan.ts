// A parallel Scan that hands each page to the caller as it arrives and keeps nothing itself: memory is
// two pages per segment (1 MB of items each at most, DynamoDB's page limit), whatever the table's size.
import {
  type DynamoDBDocumentClient,
  ScanCommand,
  type ScanCommandInput,
  type ScanCommandOutput,
} from '@aws-sdk/lib-dynamodb';

export interface SegmentScan {
  table: string;
  /** Parallel segments (DynamoDB allows 1 to 1,000,000). */
  segments: number;
  /** Only items whose `type` attribute is one of these. */
  types: readonly string[];
  /** Attributes to read (all when absent). */
  attributes?: readonly string[];
  /** Only these segments (of `segments`): a worker thread's share of the Scan. All when absent. */
  only?: readonly number[];
}

export interface ScanStats {
  pages: number;
  items: number;
  /** Items read before the filter (what the read capacity pays for). */
  scanned: number;
}

/**
 * Scan every segment at once; `onPage` gets each segment's pages in order (never two pages of one
 * segment at the same time) and may be async. Each segment reads one page ahead, so the network and
 * the consumer's work overlap; a slow consumer holds back the reads instead of piling pages up (two
 * pages per segment at most).
 */
export async function scanSegments(
  doc: DynamoDBDocumentClient,
  scan: SegmentScan,
  onPage: (items: Record<string, unknown>[], segment: number) => void | Promise<void>,
): Promise<ScanStats> {
  if (!Number.isInteger(scan.segments) || scan.segments < 1 || scan.segments > 1_000_000)
    throw new RangeError(`segments must be a whole number from 1 to 1,000,000, not ${scan.segments}`);
  const stats: ScanStats = { pages: 0, items: 0, scanned: 0 };
  const names: Record<string, string> = { '#type': 'type' };
  const values: Record<string, unknown> = {};
  scan.types.forEach((t, i) => {
    values[`:t${i}`] = t;
  });
  const projection = scan.attributes?.map((a, i) => {
    names[`#a${i}`] = a;
    return `#a${i}`;
  });
  const page = (segment: number, start: Record<string, unknown> | undefined) => {
    const input: ScanCommandInput = {
      TableName: scan.table,
      Segment: segment,
      TotalSegments: scan.segments,
      FilterExpression: `#type IN (${scan.types.map((_t, i) => `:t${i}`).join(', ')})`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ConsistentRead: true,
      ExclusiveStartKey: start,
    };
    if (projection) input.ProjectionExpression = projection.join(', ');
    return doc.send(new ScanCommand(input));
  };
  const mine = scan.only ?? Array.from({ length: scan.segments }, (_, s) => s);
  await Promise.all(
    mine.map(async (segment) => {
      // One page read ahead: the next page is on its way while this one is handed over.
      let next: ReturnType<typeof page> | undefined = page(segment, undefined);
      while (next) {
        const out: ScanCommandOutput = await next;
        next = out.LastEvaluatedKey ? page(segment, out.LastEvaluatedKey) : undefined;
        stats.pages += 1;
        stats.items += out.Items?.length ?? 0;
        stats.scanned += out.ScannedCount ?? 0;
        try {
          await onPage(out.Items ?? [], segment);
        } catch (e) {
          // Do not leave the read-ahead's rejection unhandled.
          next?.catch(() => {});
          throw e;
        }
      }
    }),
  );
  return stats;
}
