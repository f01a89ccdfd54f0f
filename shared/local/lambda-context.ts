// The Lambda context that local callers (the HTTP adapter, the in-process notice queue) hand the
// handlers, shaped as Lambda's: a fresh request id, the function's names, and the time left.
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export interface LocalContextOptions {
  region: string;
  memoryLimitInMB: string;
  /** The function's timeout: getRemainingTimeInMillis counts down from it. */
  timeoutMs: number;
}

export function localLambdaContext(functionName: string, o: LocalContextOptions): Context {
  const deadline = Date.now() + o.timeoutMs;
  const unsupported = () => {
    throw new Error('callback-style completion is not supported: return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${o.region}:000000000000:function:${functionName}`,
    memoryLimitInMB: o.memoryLimitInMB,
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
