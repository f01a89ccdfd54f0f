// POST /api/proxy: submit (or change) a proxy; answers with the receipt.
import { Logger } from '@aws-lambda-powertools/logger';
import { handleSubmitProxy } from '../../shared/voting/api.ts';
import { loadVotingRuntime } from '../../shared/voting/runtime.ts';

const runtime = loadVotingRuntime();
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote' });

export const handler = handleSubmitProxy(runtime, logger);
