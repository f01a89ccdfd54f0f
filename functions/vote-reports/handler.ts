// GET and POST /admin/reports: the vote reports' deliveries, and mailing a count's report now.
import { handleVoteReports } from '../../shared/reports/admin-api.ts';
import { loadVoteReportRuntime } from '../../shared/reports/runtime.ts';

const runtime = loadVoteReportRuntime();

export const handler = handleVoteReports(runtime, runtime.logger);
