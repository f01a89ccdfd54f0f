// The vote reports' admin API (the inspector's role, SigV4-signed):
//   POST /admin/reports   { "run"?: "nightly" | "latest" | <run id> }: mail that count's interim vote
//                         report to every recipient now (default: the newest nightly count)
//   GET  /admin/reports   ?run=<run id>: the deliveries recorded (who, when, which count, message id)
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { httpHandler } from '../http/handler.ts';
import { HttpError, json, parseJsonBody, parseQuery } from '../http/json.ts';
import { operatorOf } from '../http/operators.ts';
import { RUN_ID_PATTERN, type SnapshotHeader } from '../tabulation/snapshots.ts';
import type { VoteReportRuntime } from './runtime.ts';
import { countToReport, mailVoteReport, NoRecipients } from './vote-reports.ts';

const runRef = z.string().refine((r) => r === 'nightly' || r === 'latest' || RUN_ID_PATTERN.test(r), {
  message: 'must be "nightly" (the newest nightly count), "latest" or a run id',
});

export const sendSchema = z.strictObject({ run: runRef.default('nightly') });
const listQuery = z.object({ run: z.string().regex(RUN_ID_PATTERN, 'must be a run id').optional() });

async function resolveCount(runtime: VoteReportRuntime, ref: string): Promise<SnapshotHeader | null> {
  if (ref === 'nightly') return countToReport(runtime.snapshots);
  return runtime.snapshots.resolve(ref);
}

function toHttpError(e: unknown): HttpError | null {
  if (e instanceof NoRecipients)
    return new HttpError(409, 'no_recipients', e.message, [
      { path: 'voteReports.recipients', message: 'is empty in the deploy settings' },
    ]);
  return null;
}

export const handleVoteReports = (runtime: VoteReportRuntime, logger: Logger) =>
  httpHandler(
    logger,
    async (event: APIGatewayProxyEventV2) => {
      const operator = operatorOf(event);
      if (event.requestContext.http.method === 'GET') {
        const q = parseQuery(event, listQuery);
        const deliveries = await runtime.deps.deliveries.list(q.run ? { runId: q.run } : {});
        logger.info('vote report deliveries read', { operator, deliveries: deliveries.length });
        return json(200, { deliveries });
      }
      const body = event.body ? parseJsonBody(event, sendSchema) : sendSchema.parse({});
      const header = await resolveCount(runtime, body.run);
      if (!header || header.status !== 'complete') {
        throw new HttpError(
          404,
          'no_count',
          body.run === 'nightly'
            ? 'No nightly count to report (none made yet, or the final count is made): give a run id, or "latest".'
            : `No complete count "${body.run}".`,
          [{ path: 'run', message: 'names no complete count' }],
        );
      }
      const result = await runtime.snapshots.result(header);
      if (!result) throw new HttpError(404, 'no_count', `Count ${header.runId} has no result.`);
      const outcome = await mailVoteReport(runtime.deps, { header, result }, operator);
      logger.info('vote report mailed', {
        operator,
        runId: header.runId,
        sent: outcome.sent.length,
        failed: outcome.failed.length,
        already: outcome.already.length,
      });
      return json(outcome.failed.length > 0 ? 502 : outcome.sent.length > 0 ? 201 : 200, outcome);
    },
    toHttpError,
  );
