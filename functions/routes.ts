// The one route table of the HTTP API. The local HTTP adapter serves it; the CDK stack creates one
// API Gateway route and Lambda function (entry functions/<function>/handler.ts) per entry.
import type { OperatorRole } from '../shared/http/operators.ts';
import type { HttpRoute } from '../shared/http/route.ts';

export const routes: readonly HttpRoute[] = [
  { method: 'GET', path: '/health', function: 'health', handler: () => import('./health/handler.ts') },
  { method: 'POST', path: '/api/ballot', function: 'ballot', handler: () => import('./ballot/handler.ts') },
  {
    method: 'POST',
    path: '/api/link',
    function: 'open-link',
    handler: () => import('./open-link/handler.ts'),
  },
  {
    method: 'GET',
    path: '/vote',
    function: 'ballot-page',
    handler: () => import('./ballot-page/handler.ts'),
  },
  {
    method: 'POST',
    path: '/api/proxy',
    function: 'submit-proxy',
    handler: () => import('./submit-proxy/handler.ts'),
  },
  {
    method: 'POST',
    path: '/api/revoke',
    function: 'revoke-proxy',
    handler: () => import('./revoke-proxy/handler.ts'),
  },
  {
    method: 'POST',
    path: '/admin/entries',
    function: 'operator-entry',
    handler: () => import('./operator-entry/handler.ts'),
    auth: 'iam',
    role: 'clerk',
  },
  {
    method: 'POST',
    path: '/admin/polls/close',
    function: 'close-polls',
    handler: () => import('./close-polls/handler.ts'),
    auth: 'iam',
    role: 'supervisor',
  },
  {
    // The polls' state: open, internet voting closed, or closed (when and by whom).
    method: 'GET',
    path: '/admin/polls',
    function: 'polls',
    handler: () => import('./polls/handler.ts'),
    auth: 'iam',
    role: 'supervisor',
  },
  {
    // The meeting at a glance: polls, notices, the last count (JSON, or ?format=html the status page).
    method: 'GET',
    path: '/admin/status',
    function: 'status',
    handler: () => import('./status/handler.ts'),
    auth: 'iam',
    role: 'supervisor',
  },
  {
    method: 'GET',
    path: '/admin/conflicts',
    function: 'conflicts',
    handler: () => import('./conflicts/handler.ts'),
    auth: 'iam',
    // The inspector resolves them; the clerk is told of each one by the entry's own answer.
    role: 'inspector',
  },
  {
    // The operator starts the sending of the notices (the 40-day rule is checked there).
    method: 'POST',
    path: '/admin/notices/send',
    function: 'notices-admin',
    handler: () => import('./notices-admin/handler.ts'),
    auth: 'iam',
    role: 'supervisor',
  },
  {
    // Each register import's progress: chunks done of the total, holders handed on, stalled or not.
    method: 'GET',
    path: '/admin/imports',
    function: 'import-status',
    handler: () => import('./import-status/handler.ts'),
    auth: 'iam',
    role: 'supervisor',
  },
  {
    // The inspector decides between conflicting instructions of one account.
    method: 'POST',
    path: '/admin/resolutions',
    function: 'resolution',
    handler: () => import('./resolution/handler.ts'),
    auth: 'iam',
    role: 'inspector',
  },
  // The count's admin API (runs, the final count, reports), and counted-as-cast for holders.
  {
    method: 'POST',
    path: '/admin/tally',
    function: 'tabulate-request',
    handler: () => import('./tabulate-request/handler.ts'),
    auth: 'iam',
    role: 'inspector',
  },
  {
    method: 'GET',
    path: '/admin/tally',
    function: 'snapshots',
    handler: () => import('./snapshots/handler.ts'),
    auth: 'iam',
    role: 'inspector',
  },
  {
    method: 'GET',
    path: '/admin/tally/{run}',
    function: 'snapshot',
    handler: () => import('./snapshot/handler.ts'),
    auth: 'iam',
    role: 'inspector',
  },
  {
    // The register (CSV rows) and the instruction history (JSONL lines) for the inspector's recount,
    // a page at a time: GET /admin/export/register | /admin/export/instructions.
    method: 'GET',
    path: '/admin/export/{part}',
    function: 'export',
    handler: () => import('./export/handler.ts'),
    auth: 'iam',
    role: 'inspector',
  },
  {
    // The interim vote report (deploy settings voteReports): mail a count's report to every recipient
    // now, and list the deliveries recorded.
    method: 'POST',
    path: '/admin/reports',
    function: 'vote-reports',
    handler: () => import('./vote-reports/handler.ts'),
    auth: 'iam',
    role: 'inspector',
  },
  {
    method: 'GET',
    path: '/admin/reports',
    function: 'vote-reports',
    handler: () => import('./vote-reports/handler.ts'),
    auth: 'iam',
    role: 'inspector',
  },
  {
    method: 'POST',
    path: '/api/counted',
    function: 'counted',
    handler: () => import('./counted/handler.ts'),
  },
  {
    method: 'GET',
    path: '/counted',
    function: 'counted-page',
    handler: () => import('./counted-page/handler.ts'),
  },
];

/** The handler file of a route, relative to the repository root (for the CDK NodejsFunction entry). */
/** The admin routes each operator role may call: the one table the local adapter and the IAM roles use. */
export function routesOfRole(role: OperatorRole, table: readonly HttpRoute[] = routes): HttpRoute[] {
  return table.filter((r) => r.auth === 'iam' && r.role === role);
}

export function handlerEntry(route: Pick<HttpRoute, 'function'>): string {
  return `functions/${route.function}/handler.ts`;
}
