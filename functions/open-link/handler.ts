// POST /api/link: the notice link's token, used once, for the holder's ballot and a ballot session
// (an HttpOnly cookie). The page posts it; a link scanner's GET of the notice's link never gets here.
import { Logger } from '@aws-lambda-powertools/logger';
import { cloudFrontOnly, OriginSecrets } from '../../shared/http/origin.ts';
import { handleOpenLink } from '../../shared/voting/api.ts';
import { loadVotingRuntime } from '../../shared/voting/runtime.ts';

const runtime = loadVotingRuntime();
const origin = await OriginSecrets.fromEnv();
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote' });

export const handler = cloudFrontOnly(handleOpenLink(runtime, logger), origin);
