// POST /admin/entries: an operator's paper proxy, written revocation, meeting ballot or conflict resolution.
import { Logger } from '@aws-lambda-powertools/logger';
import { handleOperatorEntry } from '../../shared/voting/admin-api.ts';
import { loadVotingRuntime } from '../../shared/voting/runtime.ts';

const runtime = loadVotingRuntime();
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote' });

export const handler = handleOperatorEntry(runtime, logger, process.env.ADMIN_TOKEN);
