// POST /api/counted: after the final count, whether the instruction with this receipt code is the one
// counted for the holder's account (and, on request, the answer by e-mail to the address on file).
import { Logger } from '@aws-lambda-powertools/logger';
import { loadStorageConfig } from '../../shared/config/storage-config.ts';
import { cloudFrontOnly, OriginSecrets } from '../../shared/http/origin.ts';
import { createDynamoClients } from '../../shared/storage/dynamo-client.ts';
import { handleCounted } from '../../shared/tabulation/counted-api.ts';
import { SnapshotStore } from '../../shared/tabulation/snapshots.ts';
import { loadVotingRuntime } from '../../shared/voting/runtime.ts';

const voting = loadVotingRuntime();
const storage = loadStorageConfig();
const origin = await OriginSecrets.fromEnv();
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote' });

export const handler = cloudFrontOnly(
  handleCounted(
    {
      voting: voting.deps,
      meeting: voting.meeting,
      mailer: voting.mailer,
      snapshots: new SnapshotStore(createDynamoClients(storage.dynamo).doc, storage.tables),
    },
    logger,
  ),
  origin,
);
