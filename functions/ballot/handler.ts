// POST /api/ballot: the ballot of the holder behind a control number (the number travels in the body).
import { Logger } from '@aws-lambda-powertools/logger';
import { handleFetchBallot } from '../../shared/voting/api.ts';
import { loadVotingRuntime } from '../../shared/voting/runtime.ts';

const runtime = loadVotingRuntime();
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote' });

export const handler = handleFetchBallot(runtime, logger);
