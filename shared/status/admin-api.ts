// The operator's view of the meeting (SigV4-signed admin API, the supervisor's role):
//   GET /admin/status   ?format=json (default) | html (the status page): shared/status/status.ts
//   GET /admin/polls    the polls: open, internet voting closed, or closed (when and by whom)
import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { httpHandler } from '../http/handler.ts';
import { html, json, parseQuery } from '../http/json.ts';
import { operatorOf } from '../http/operators.ts';
import type { TabulationRuntime } from '../tabulation/runtime.ts';
import { renderStatusHtml, STATUS_CSS } from './format.ts';
import { meetingStatus, pollsStatus } from './status.ts';

export const STATUS_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STATUS_CSS, 'utf8').digest('base64')}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

const statusQuery = z.object({ format: z.enum(['json', 'html']).default('json') });

export const handleStatus = (runtime: TabulationRuntime, logger: Logger) =>
  httpHandler(logger, async (event) => {
    const operator = operatorOf(event);
    const q = parseQuery(event, statusQuery);
    const { meeting, doc, tables, now } = runtime.deps;
    const status = await meetingStatus(doc, tables, meeting, now());
    logger.info('status read', { operator, format: q.format });
    return q.format === 'html' ? html(200, renderStatusHtml(status), STATUS_CSP) : json(200, status);
  });

export const handlePolls = (runtime: TabulationRuntime, logger: Logger) =>
  httpHandler(logger, async (event) => {
    const operator = operatorOf(event);
    const { meeting, doc, tables, now } = runtime.deps;
    const polls = await pollsStatus(doc, tables, meeting, now());
    logger.info('polls read', { operator });
    return json(200, polls);
  });
