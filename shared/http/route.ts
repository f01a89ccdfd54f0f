// The shape of one HTTP API route: shared by functions/routes.ts (the one route table), the local
// HTTP adapter and the CDK stack that will create the API Gateway routes and Lambda functions.
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { OperatorRole } from './operators.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS' | 'ANY';

/** What a Lambda function behind an HTTP API returns (payload format 2.0): a structured result or any JSON value. */
export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

export interface HttpHandlerModule {
  handler: HttpHandler;
}

export interface HttpRoute {
  method: HttpMethod;
  /** API Gateway path template: `/health`, `/vote/{token}`, `/files/{proxy+}`. */
  path: string;
  /** The function's directory: its code is `functions/<function>/handler.ts`, exporting `handler`. */
  function: string;
  /** Loads the function's module, which exports `handler` (lazily, as a cold start would). */
  handler: () => Promise<HttpHandlerModule>;
  /**
   * Who may call it on AWS: 'iam' for SigV4-signed requests of an IAM principal (the admin API; the
   * operator is the caller's ARN), 'none' (the default) for the public routes.
   */
  auth?: 'iam' | 'none';
  /**
   * The one operator role allowed to call an admin route (auth: 'iam'): its IAM role on AWS may invoke
   * it, and the local adapter refuses the other roles' keys. Required for every admin route.
   */
  role?: OperatorRole;
}

/** `GET /health`: API Gateway's route key. */
export function routeKey(route: Pick<HttpRoute, 'method' | 'path'>): string {
  return `${route.method === 'ANY' ? 'ANY' : route.method} ${route.path}`;
}
