// POST /admin/tally: a count now ("on-demand", or "final" once the polls are closed). Locally it runs
// in the request; on AWS it is recorded for the tabulation worker (TABULATION_MODE).
import { Logger } from '@aws-lambda-powertools/logger';
import { handleRunRequest } from '../../shared/tabulation/admin-api.ts';
import { loadTabulationRuntime } from '../../shared/tabulation/runtime.ts';

const runtime = loadTabulationRuntime();
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote' });

export const handler = handleRunRequest(runtime, logger);
