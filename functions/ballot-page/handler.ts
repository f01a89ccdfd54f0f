// GET /vote: the ballot page. Rendered once per cold start from the meeting file (MEETING_JSON); it
// is the same for every holder and carries no control number (that stays in the URL fragment, which
// the browser never sends). Needs no table, secret or mailer: the page's script calls the voting API.
import { Logger } from '@aws-lambda-powertools/logger';
import { ballotPageResponse, renderBallotPage } from '../../shared/ballot-page/page.ts';
import { parseMeeting } from '../../shared/domain/meeting.ts';
import { httpHandler } from '../../shared/http/handler.ts';
import { cloudFrontOnly, OriginSecrets } from '../../shared/http/origin.ts';

const page = renderBallotPage(parseMeeting(process.env.MEETING_JSON ?? '', 'MEETING_JSON'));
const origin = await OriginSecrets.fromEnv();
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote' });

export const handler = cloudFrontOnly(
  httpHandler(logger, async () => ballotPageResponse(page)),
  origin,
);
