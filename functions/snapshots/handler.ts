// GET /admin/tally: the tabulation runs, newest first.
import { Logger } from '@aws-lambda-powertools/logger';
import { handleListSnapshots } from '../../shared/tabulation/admin-api.ts';
import { loadTabulationRuntime } from '../../shared/tabulation/runtime.ts';

const runtime = loadTabulationRuntime();
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote' });

export const handler = handleListSnapshots(runtime, logger);
