// GET /admin/polls: whether the polls are open, internet voting closed, or closed (when, by whom).
import { Logger } from '@aws-lambda-powertools/logger';
import { handlePolls } from '../../shared/status/admin-api.ts';
import { loadTabulationRuntime } from '../../shared/tabulation/runtime.ts';

const runtime = loadTabulationRuntime();
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote' });

export const handler = handlePolls(runtime, logger);
