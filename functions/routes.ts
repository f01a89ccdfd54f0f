// The one route table of the HTTP API. The local HTTP adapter serves it; the CDK stack creates one
// API Gateway route and Lambda function (entry functions/<function>/handler.ts) per entry.
import type { HttpRoute } from '../shared/http/route.ts';

export const routes: readonly HttpRoute[] = [
  { method: 'GET', path: '/health', function: 'health', handler: () => import('./health/handler.ts') },
  { method: 'POST', path: '/api/ballot', function: 'ballot', handler: () => import('./ballot/handler.ts') },
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
  },
  {
    method: 'POST',
    path: '/admin/polls/close',
    function: 'close-polls',
    handler: () => import('./close-polls/handler.ts'),
  },
];

/** The handler file of a route, relative to the repository root (for the CDK NodejsFunction entry). */
export function handlerEntry(route: Pick<HttpRoute, 'function'>): string {
  return `functions/${route.function}/handler.ts`;
}
