// GET /admin/tally/{run}: one run (its id, "latest" or "final"): the snapshot and result as JSON, the
// inspector's report as HTML or CSV, or a chunk of the history digest's leaves.
import { Logger } from '@aws-lambda-powertools/logger';
import { handleGetSnapshot } from '../../shared/tabulation/admin-api.ts';
import { loadTabulationRuntime } from '../../shared/tabulation/runtime.ts';

const runtime = loadTabulationRuntime();
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote' });

export const handler = handleGetSnapshot(runtime, logger);
