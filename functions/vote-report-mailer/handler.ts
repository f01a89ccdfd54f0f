// The scheduled interim vote report (functions/workers.ts): the newest nightly count's tally, mailed
// to every recipient of the deploy settings at once, each delivery recorded.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { loadVoteReportRuntime } from '../../shared/reports/runtime.ts';
import { runScheduledReport, type ScheduledReport } from '../../shared/reports/worker.ts';

const runtime = loadVoteReportRuntime();

export const handler = middy<unknown, ScheduledReport>()
  .use(injectLambdaContext(runtime.logger, { resetKeys: true }))
  .handler(async () => {
    const done = await runScheduledReport(runtime);
    if (done.outcome === 'mailed') {
      const { runId, sent, failed, already } = done.report;
      runtime.logger.info('vote report', {
        runId,
        sent: sent.length,
        failed: failed.length,
        already: already.length,
      });
      // A failed delivery is recorded; the next hourly run tries it again.
      if (failed.length > 0) runtime.logger.warn('vote report deliveries failed', { failed: failed.length });
    } else runtime.logger.info('vote report', { outcome: done.outcome });
    return done;
  });
