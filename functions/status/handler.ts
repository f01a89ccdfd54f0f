// GET /admin/status: the meeting at a glance (JSON, or ?format=html the operator's status page).
import { Logger } from '@aws-lambda-powertools/logger';
import { handleStatus } from '../../shared/status/admin-api.ts';
import { loadTabulationRuntime } from '../../shared/tabulation/runtime.ts';

const runtime = loadTabulationRuntime();
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote' });

export const handler = handleStatus(runtime, logger);
