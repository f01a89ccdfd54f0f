// POST /api/revoke: revoke the holder's proxy; the shares are then not present unless a later one comes.
import { Logger } from '@aws-lambda-powertools/logger';
import { handleRevokeProxy } from '../../shared/voting/api.ts';
import { loadVotingRuntime } from '../../shared/voting/runtime.ts';

const runtime = loadVotingRuntime();
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote' });

export const handler = handleRevokeProxy(runtime, logger);
