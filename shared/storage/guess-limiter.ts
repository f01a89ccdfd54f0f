// The guess limiter in DynamoDB: one item per viewer (operations table, GUESS#<viewer> / LIMIT)
// holding the two levels' theoretical arrival times, and `failures`, the reservations not given back. A reservation is one UpdateItem whose condition
// is the plan's (shared/domain/guess-limit.ts): concurrent reservations each either fit under the
// limit or fail their condition, so a burst can never get more guesses than the limit allows. A
// failed condition returns the stored state, from which the next plan is made (a few rounds at most).
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  type GuessPolicy,
  type GuessReservation,
  type GuessState,
  type LevelStep,
  planGuess,
} from '../domain/guess-limit.ts';
import type { GuessOutcome } from '../voting/ports.ts';

export const guessKey = (viewer: string) => ({ pk: `GUESS#${viewer}`, sk: 'LIMIT' });
/** Rounds of plan and conditional write before giving up (each failed round learns the stored state). */
const MAX_ROUNDS = 8;

export class GuessLimiterBusy extends Error {
  constructor() {
    super('the guess limiter could not reserve a guess after several rounds');
    this.name = 'GuessLimiterBusy';
  }
}

function stepExpression(
  name: 'short' | 'day',
  step: LevelStep,
  values: Record<string, unknown>,
): { set: string; condition: string } {
  if (step.kind === 'reset') {
    values[`:${name}Value`] = step.value;
    values[`:${name}Below`] = step.below;
    return {
      set: `#${name} = :${name}Value`,
      condition: `(attribute_not_exists(#${name}) OR #${name} < :${name}Below)`,
    };
  }
  values[`:${name}Add`] = step.add;
  values[`:${name}From`] = step.from;
  values[`:${name}To`] = step.to;
  return {
    set: `#${name} = #${name} + :${name}Add`,
    condition: `#${name} BETWEEN :${name}From AND :${name}To`,
  };
}

/** The backlog a step adds: one interval either way (a reset starts from a drained backlog). */
function added(step: LevelStep): number {
  return step.kind === 'add' ? step.add : step.value - step.below;
}

export async function reserveGuess(
  doc: DynamoDBDocumentClient,
  table: string,
  viewer: string,
  policy: GuessPolicy,
  now: () => number,
): Promise<GuessOutcome> {
  let state: GuessState | null = null;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const at = now();
    const plan = planGuess(state, at, policy);
    if (!plan.admitted) return { admitted: false, retryAfterMs: plan.retryAfterMs };
    const values: Record<string, unknown> = {
      ':expires': Math.ceil((at + policy.dayBurst * policy.dayIntervalMs) / 1000),
      ':one': 1,
    };
    const short = stepExpression('short', plan.short, values);
    const day = stepExpression('day', plan.day, values);
    try {
      await doc.send(
        new UpdateCommand({
          TableName: table,
          Key: guessKey(viewer),
          // `failures` counts the reservations not given back: the failures counted for the viewer.
          UpdateExpression: `SET ${short.set}, ${day.set}, expiresAt = :expires ADD failures :one`,
          ConditionExpression: `${short.condition} AND ${day.condition}`,
          ExpressionAttributeNames: { '#short': 'short', '#day': 'day' },
          ExpressionAttributeValues: values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return {
        admitted: true,
        reservation: {
          viewer,
          shortMs: added(plan.short),
          dayMs: added(plan.day),
        },
      };
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const old = e.Item ? unmarshall(e.Item as Parameters<typeof unmarshall>[0]) : {};
      state = {
        short: typeof old.short === 'number' ? old.short : undefined,
        day: typeof old.day === 'number' ? old.day : undefined,
      };
    }
  }
  throw new GuessLimiterBusy();
}

/** Gives a reservation back: the backlog it added is taken off again (never below zero in effect). */
export async function releaseGuess(
  doc: DynamoDBDocumentClient,
  table: string,
  reservation: GuessReservation,
): Promise<void> {
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: guessKey(reservation.viewer),
        UpdateExpression: 'SET #short = #short - :short, #day = #day - :day ADD failures :minusOne',
        ConditionExpression: 'attribute_exists(#short) AND attribute_exists(#day)',
        ExpressionAttributeNames: { '#short': 'short', '#day': 'day' },
        ExpressionAttributeValues: {
          ':short': reservation.shortMs,
          ':day': reservation.dayMs,
          ':minusOne': -1,
        },
      }),
    );
  } catch (e) {
    if (!(e instanceof ConditionalCheckFailedException)) throw e;
  }
}
