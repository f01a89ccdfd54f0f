// POST /api/revoke: revoke the holder's proxy; the shares are then not present unless a later one comes.
import { Logger } from '@aws-lambda-powertools/logger';
import { cloudFrontOnly, OriginSecrets } from '../../shared/http/origin.ts';
import { handleRevokeProxy } from '../../shared/voting/api.ts';
import { loadVotingRuntime } from '../../shared/voting/runtime.ts';

const runtime = loadVotingRuntime();
const origin = await OriginSecrets.fromEnv();
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote' });

export const handler = cloudFrontOnly(handleRevokeProxy(runtime, logger), origin);
