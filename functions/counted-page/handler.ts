// GET /counted: the page where a holder checks that the vote was counted. Rendered once per cold start
// from the meeting file; it calls POST /api/counted.
import { Logger } from '@aws-lambda-powertools/logger';
import { parseMeeting } from '../../shared/domain/meeting.ts';
import { httpHandler } from '../../shared/http/handler.ts';
import { cloudFrontOnly, OriginSecrets } from '../../shared/http/origin.ts';
import { countedPageResponse, renderCountedPage } from '../../shared/tabulation/counted-page.ts';

const page = renderCountedPage(parseMeeting(process.env.MEETING_JSON ?? '', 'MEETING_JSON'));
const origin = await OriginSecrets.fromEnv();
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote' });

export const handler = cloudFrontOnly(
  httpHandler(logger, async () => countedPageResponse(page)),
  origin,
);
