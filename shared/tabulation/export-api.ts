// GET /admin/export/{part}: the inspector's export through the admin API, a page of one Scan segment
// at a time (a Lambda answer holds at most 6 MB; one DynamoDB page is at most 1 MB):
//   /admin/export/register?segment=S&segments=N&cursor=C[&limit=L]  { items: Holder[], next }
//   /admin/export/instructions?segment=S&segments=N&cursor=C  { items: [{ account, orderKey, instruction }], next }
// `next` is the cursor of the segment's next page, null after its last. The client sorts what it
// gathered with the same functions as the direct export (shared/storage/history-export.ts), so the
// files are byte for byte what `proxyvote recount` reproduces the count from.
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { httpHandler } from '../http/handler.ts';
import { HttpError, json, parseQuery } from '../http/json.ts';
import { operatorOf } from '../http/operators.ts';
import { itemToHolder } from '../register/holder-item.ts';
import {
  EXPORT_PARTS,
  type ExportPart,
  MAX_EXPORT_SEGMENTS,
  scanPage,
  toHistoryEntry,
} from '../storage/history-export.ts';
import type { TableNames } from '../storage/tables.ts';
import { readPolls } from '../storage/vote-store.ts';

/** A page's position: the table key DynamoDB returned (pk, sk), as base64url JSON. */
export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ pk: key.pk, sk: key.sk }), 'utf8').toString('base64url');
}

const keySchema = z.strictObject({ pk: z.string().min(1).max(1024), sk: z.string().min(1).max(1024) });

function decodeCursor(cursor: string): Record<string, string> | null {
  try {
    const parsed = keySchema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const querySchema = z
  .object({
    segments: z.coerce.number().int().min(1).max(MAX_EXPORT_SEGMENTS).default(1),
    segment: z.coerce.number().int().min(0).default(0),
    /** Items read per page at most (a page may then hold fewer of the part's items, even none). */
    limit: z.coerce.number().int().min(1).max(10_000).optional(),
    cursor: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,4000}$/, 'must be the "next" value of the previous page')
      .optional(),
  })
  .refine((q) => q.segment < q.segments, { path: ['segment'], message: 'must be below segments' });

export interface ExportDeps {
  doc: DynamoDBDocumentClient;
  tables: TableNames;
}

export const handleExportPage = (deps: ExportDeps, logger: Logger) =>
  httpHandler(logger, async (event) => {
    const operator = operatorOf(event);
    const part = event.pathParameters?.part ?? '';
    if (part === 'polls') {
      // When the polls were closed, by whom, and why if early: the recount rejects what came later.
      const polls = await readPolls(deps.doc, deps.tables);
      logger.info('export page', { operator, part });
      return json(200, { part, polls: polls ?? { closedAt: null } });
    }
    if (!EXPORT_PARTS.includes(part as ExportPart)) {
      throw new HttpError(404, 'not_found', `No export "${part}": give register, instructions or polls.`, [
        { path: 'part', message: 'must be "register", "instructions" or "polls"' },
      ]);
    }
    const q = parseQuery(event, querySchema);
    const start = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    if (start === null) {
      throw new HttpError(400, 'invalid_request', 'The cursor is not one this export gave.', [
        { path: 'cursor', message: 'must be the "next" value of the previous page' },
      ]);
    }
    const page =
      part === 'register'
        ? await scanPage(deps.doc, deps.tables.register, 'holder', q.segment, q.segments, start, q.limit)
        : await scanPage(deps.doc, deps.tables.votes, 'instruction', q.segment, q.segments, start, q.limit);
    const items = part === 'register' ? page.items.map(itemToHolder) : page.items.map(toHistoryEntry);
    logger.info('export page', { operator, part, segment: q.segment, items: items.length });
    return json(200, {
      part,
      segment: q.segment,
      segments: q.segments,
      items,
      next: page.next ? encodeCursor(page.next) : null,
    });
  });
