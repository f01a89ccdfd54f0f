// GET /counted: the page where a holder checks that the vote was counted. Rendered once per cold start
// from the meeting file, in English and Spanish (`?lang=es`); it calls POST /api/counted.
import { Logger } from '@aws-lambda-powertools/logger';
import { parseMeeting } from '../../shared/domain/meeting.ts';
import { langOf } from '../../shared/domain/messages.ts';
import { httpHandler } from '../../shared/http/handler.ts';
import { cloudFrontOnly, OriginSecrets } from '../../shared/http/origin.ts';
import { countedPageResponse, renderCountedPage } from '../../shared/tabulation/counted-page.ts';

const meeting = parseMeeting(process.env.MEETING_JSON ?? '', 'MEETING_JSON');
const pages = { en: renderCountedPage(meeting, 'en'), es: renderCountedPage(meeting, 'es') };
const origin = await OriginSecrets.fromEnv();
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote' });

export const handler = cloudFrontOnly(
  httpHandler(logger, async (event) => countedPageResponse(pages[langOf(event.queryStringParameters?.lang)])),
  origin,
);
