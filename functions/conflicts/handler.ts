// GET /admin/conflicts: the open same-date conflicts, for the clerk and the inspector of elections.
import { Logger } from '@aws-lambda-powertools/logger';
import { handleListConflicts } from '../../shared/voting/admin-api.ts';
import { loadVotingRuntime } from '../../shared/voting/runtime.ts';

const runtime = loadVotingRuntime();
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote' });

export const handler = handleListConflicts(runtime, logger);
