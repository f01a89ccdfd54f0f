// POST /api/ballot: the ballot of the holder behind a control number (the number travels in the body).
import { Logger } from '@aws-lambda-powertools/logger';
import { cloudFrontOnly, OriginSecrets } from '../../shared/http/origin.ts';
import { handleFetchBallot } from '../../shared/voting/api.ts';
import { loadVotingRuntime } from '../../shared/voting/runtime.ts';

const runtime = loadVotingRuntime();
const origin = await OriginSecrets.fromEnv();
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote' });

export const handler = cloudFrontOnly(handleFetchBallot(runtime, logger), origin);
