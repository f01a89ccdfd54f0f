// The admin API of the count (the inspector of elections; SigV4-signed, checked by API Gateway's IAM
// authorization on AWS and by the local adapter locally):
//   POST /admin/tally          { "kind": "on-demand" | "final", "cumulative"?: boolean }: count now
//   GET  /admin/tally          ?limit=20&cursor=...: the runs, newest first
//   GET  /admin/tally/{run}    run id, "latest" or "final"; ?format=json (default) | html | csv (the
//                              inspectors' certificate, FINAL or PRELIMINARY) | leaves&chunk=N (the
//                              history digest's leaves)
import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { runAsFunction } from '../aws/call-recorder.ts';
import { CERTIFICATE_CSS, renderCertificateCsv, renderCertificateHtml } from '../domain/certificate.ts';
import { httpHandler } from '../http/handler.ts';
import { HttpError, html, json, parseJsonBody, parseQuery } from '../http/json.ts';
import { operatorOf } from '../http/operators.ts';
import { certificateOfRun } from './certificate-data.ts';
import { pollsClosedAt, type RunOutcome, runTabulation, TabulationError } from './run.ts';
import type { TabulationRuntime } from './runtime.ts';
import type { SnapshotHeader } from './snapshots.ts';

export const runRequestSchema = z.strictObject({
  kind: z.enum(['on-demand', 'final'], { error: 'must be "on-demand" or "final"' }),
  cumulative: z.boolean().optional(),
  /** The final count only: make it although conflicts are open (recorded; the certificate lists them). */
  acceptOpenConflicts: z.boolean().optional(),
});

function toHttpError(e: unknown): HttpError | null {
  if (e instanceof HttpError) return e;
  if (e instanceof TabulationError) {
    if (e.code === 'polls-open') return new HttpError(409, 'polls_open', e.message);
    if (e.code === 'open-conflicts')
      return new HttpError(
        409,
        'open_conflicts',
        e.message,
        e.problems.map((message) => ({ path: 'conflicts', message })),
      );
    return new HttpError(
      422,
      'count_failed',
      e.message,
      e.problems.map((message) => ({ path: 'history', message })),
    );
  }
  return null;
}

function outcomeResponse(out: RunOutcome): APIGatewayProxyStructuredResultV2 {
  switch (out.outcome) {
    case 'complete':
      return json(201, { outcome: out.outcome, snapshot: out.snapshot });
    case 'already-final':
      return json(200, { outcome: out.outcome, snapshot: out.snapshot });
    case 'final-in-progress':
      return json(202, { outcome: out.outcome, runId: out.runId });
    case 'skipped':
      return json(200, { outcome: out.outcome, reason: out.reason });
  }
}

export const handleRunRequest = (runtime: TabulationRuntime, logger: Logger) =>
  httpHandler(
    logger,
    async (event) => {
      const operator = operatorOf(event);
      const body = parseJsonBody(event, runRequestSchema);
      if (runtime.mode === 'inline') {
        // Locally the count runs here, in-process: it is the tabulate worker's work (and its calls).
        const out = await runAsFunction('tabulate', () =>
          runTabulation(runtime.deps, {
            kind: body.kind,
            requestedBy: operator,
            cumulative: body.cumulative,
            acceptOpenConflicts: body.acceptOpenConflicts,
          }),
        );
        logger.info('count run', { operator, kind: body.kind, outcome: out.outcome });
        return outcomeResponse(out);
      }
      // AWS: the count may take minutes; the tabulation worker runs it (it looks every minute).
      if (body.kind === 'final') {
        if (!(await pollsClosedAt(runtime.deps.doc, runtime.deps.tables)))
          throw new TabulationError(
            'polls-open',
            'The final count is made once the polls are declared closed.',
          );
        const final = await runtime.snapshots.final();
        if (final) return json(200, { outcome: 'already-final', snapshot: final });
      }
      const at = new Date(runtime.deps.now()).toISOString();
      const requestId = `${at.replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`;
      await runtime.snapshots.request(
        body.kind,
        operator,
        body.cumulative,
        requestId,
        at,
        body.acceptOpenConflicts === true,
      );
      logger.info('count requested', { operator, kind: body.kind, requestId });
      return json(202, { outcome: 'requested', requestId, kind: body.kind });
    },
    toHttpError,
  );

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .regex(/^\d{8}T\d{9}Z-[0-9a-f]{8,32}$/, 'must be the "next" value of the previous page')
    .optional(),
});

export const handleListSnapshots = (runtime: TabulationRuntime, logger: Logger) =>
  httpHandler(
    logger,
    async (event) => {
      const operator = operatorOf(event);
      const q = parseQuery(event, listQuery);
      const page = await runtime.snapshots.list(q.limit, q.cursor);
      logger.info('count runs read', { operator, runs: page.runs.length });
      return json(200, { runs: page.runs.map(brief), next: page.next });
    },
    toHttpError,
  );

/** A header without the leaf index (which can be long): what a list shows. */
function brief(h: SnapshotHeader) {
  const { leafIndex: _leafIndex, ...rest } = h;
  return rest;
}

const getQuery = z.object({
  format: z.enum(['json', 'html', 'csv', 'leaves']).default('json'),
  chunk: z.coerce.number().int().min(0).optional(),
});

export const CERTIFICATE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(CERTIFICATE_CSS, 'utf8').digest('base64')}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

export const handleGetSnapshot = (runtime: TabulationRuntime, logger: Logger) =>
  httpHandler(
    logger,
    async (event) => {
      const operator = operatorOf(event);
      const ref = event.pathParameters?.run ?? '';
      const q = parseQuery(event, getQuery);
      logger.info('count read', { operator, run: ref, format: q.format });
      const header = await runtime.snapshots.resolve(ref);
      if (!header) {
        throw new HttpError(404, 'not_found', `No count "${ref}": give a run id, "latest" or "final".`, [
          { path: 'run', message: 'is not a run of this meeting' },
        ]);
      }
      if (q.format === 'leaves') {
        const text = q.chunk === undefined ? null : await runtime.snapshots.leafChunk(header, q.chunk);
        if (text === null)
          throw new HttpError(
            400,
            'invalid_request',
            `Give chunk=0 to ${Math.max(0, header.leafChunks - 1)}.`,
            [{ path: 'chunk', message: `must be a chunk number below ${header.leafChunks}` }],
          );
        return {
          statusCode: 200,
          headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
          body: text,
        };
      }
      const result = await runtime.snapshots.result(header);
      if (q.format === 'json') return json(200, { snapshot: header, result });
      if (!result)
        throw new HttpError(409, 'no_result', `Run ${header.runId} failed: it has no result to report.`);
      const certificate = await certificateOfRun(runtime.deps, header, result);
      if (q.format === 'html') return html(200, renderCertificateHtml(certificate), CERTIFICATE_CSP);
      return {
        statusCode: 200,
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="${header.meeting}-${header.runId}.csv"`,
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
        },
        body: renderCertificateCsv(certificate),
      };
    },
    toHttpError,
  );
