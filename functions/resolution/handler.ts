// POST /admin/resolutions: the inspector's choice between conflicting instructions of one account.
import { Logger } from '@aws-lambda-powertools/logger';
import { handleResolution } from '../../shared/voting/admin-api.ts';
import { loadVotingRuntime } from '../../shared/voting/runtime.ts';

const runtime = loadVotingRuntime();
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote' });

export const handler = handleResolution(runtime, logger);
