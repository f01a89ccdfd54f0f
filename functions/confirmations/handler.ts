// The confirmation e-mails, from the votes table's stream (an event source mapping on AWS, filtered to
// INSERTs, failed batches to a dead-letter queue; locally shared/local/stream-poller.ts): one e-mail per
// internet proxy or revocation, at most once (shared/voting/confirmations.ts). Nothing is mailed inside
// the voting request any more.
import { confirmationsFromEnv } from '../../shared/voting/confirmation-stream.ts';

export const handler = confirmationsFromEnv(process.env);
