// POST /admin/polls/close: the supervisor declares the polls closed; paper and meeting entries end.
import { Logger } from '@aws-lambda-powertools/logger';
import { handleClosePolls } from '../../shared/voting/admin-api.ts';
import { loadVotingRuntime } from '../../shared/voting/runtime.ts';

const runtime = loadVotingRuntime();
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote' });

export const handler = handleClosePolls(runtime, logger);
