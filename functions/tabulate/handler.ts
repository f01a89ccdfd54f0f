// The tabulation worker (functions/workers.ts): the nightly count, the minute's watch (counts asked for
// through the admin API, the final count once the polls are closed), or a direct invocation.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { loadTabulationRuntime } from '../../shared/tabulation/runtime.ts';
import { handleWorkerEvent, type WorkerReport } from '../../shared/tabulation/worker.ts';

const runtime = loadTabulationRuntime();
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote' });

export const handler = middy<unknown, WorkerReport>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    runtime.deps.log = (message, fields) => logger.info(message, fields);
    const report = await handleWorkerEvent(runtime, event, runtime.deps.log);
    if (report.runs.length > 0) logger.info('tabulation worker done', { runs: report.runs });
    return report;
  });
