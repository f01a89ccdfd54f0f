// GET /vote: the ballot page. Every variant (English and Spanish, open and closed) is rendered once per
// cold start from the meeting file (MEETING_JSON); a request picks its language (`?lang=es`, else
// English) and, by the functions' clock, whether internet voting is closed (past the cut-off: the page
// says so and what is still possible). It carries no control number (a link token stays in the URL
// fragment, which the browser never sends). Needs no table, secret or mailer.
import { Logger } from '@aws-lambda-powertools/logger';
import { ballotPageResponse, ballotPages } from '../../shared/ballot-page/page.ts';
import { clockWithOffset } from '../../shared/config/clock.ts';
import { internetCutoffMs, parseMeeting } from '../../shared/domain/meeting.ts';
import { langOf } from '../../shared/domain/messages.ts';
import { httpHandler } from '../../shared/http/handler.ts';
import { cloudFrontOnly, OriginSecrets } from '../../shared/http/origin.ts';

const meeting = parseMeeting(process.env.MEETING_JSON ?? '', 'MEETING_JSON');
const pages = ballotPages(meeting);
const cutoff = internetCutoffMs(meeting);
const offset = Number(process.env.CLOCK_OFFSET_MS ?? 0);
const now = clockWithOffset(Number.isFinite(offset) ? offset : 0);
const origin = await OriginSecrets.fromEnv();
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote' });

export const handler = cloudFrontOnly(
  httpHandler(logger, async (event) =>
    ballotPageResponse(pages.pick(langOf(event.queryStringParameters?.lang), now() > cutoff)),
  ),
  origin,
);
