// POST /api/proxy: submit (or change) a proxy; answers with the receipt.
import { Logger } from '@aws-lambda-powertools/logger';
import { cloudFrontOnly, OriginSecrets } from '../../shared/http/origin.ts';
import { handleSubmitProxy } from '../../shared/voting/api.ts';
import { loadVotingRuntime } from '../../shared/voting/runtime.ts';

const runtime = loadVotingRuntime();
const origin = await OriginSecrets.fromEnv();
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote' });

export const handler = cloudFrontOnly(handleSubmitProxy(runtime, logger), origin);
