// The one wrapper of every HTTP function: middy with the Powertools logger, and domain refusals mapped
// to JSON errors in one place. Request bodies are never logged: they carry control numbers.
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { functionOfContext, runAsFunction } from '../aws/call-recorder.ts';
import { errorResponse, HttpError } from './json.ts';

export type HttpFn = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export function httpHandler(
  logger: Logger,
  fn: HttpFn,
  mapError: (e: unknown) => HttpError | null = () => null,
) {
  // logEvent: false, whatever POWERTOOLS_LOGGER_LOG_EVENT says: the event holds the body (control
  // numbers, e-mail addresses) and the Authorization header (the admin token).
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .handler(async (event, context) => {
      try {
        // The AWS calls made from here on are this function's (what the IAM test checks).
        return await runAsFunction(functionOfContext(context.functionName, process.env.MEETING_ID), () =>
          fn(event, context),
        );
      } catch (e) {
        const known = e instanceof HttpError ? e : mapError(e);
        if (known) {
          logger.info('refused', { status: known.statusCode, code: known.code, route: event.routeKey });
          return errorResponse(known);
        }
        logger.error('failed', {
          route: event.routeKey,
          error: e instanceof Error ? { name: e.name, message: e.message } : 'unknown',
        });
        return errorResponse(
          new HttpError(
            500,
            'internal_error',
            'Something went wrong on our side. Nothing was recorded unless you received a receipt; please try again.',
          ),
        );
      }
    });
}
