// POST /admin/entries: the clerk's paper proxy, written revocation or meeting ballot.
import { Logger } from '@aws-lambda-powertools/logger';
import { handleOperatorEntry } from '../../shared/voting/admin-api.ts';
import { loadVotingRuntime } from '../../shared/voting/runtime.ts';

const runtime = loadVotingRuntime();
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote' });

export const handler = handleOperatorEntry(runtime, logger);
