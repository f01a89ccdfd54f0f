// The guessing limit against DynamoDB Local: hundreds of guesses at once from one viewer never make
// more real look-ups than the limit; right numbers give their reservation back; IPv6 counts by /64;
// the window slides (waiting one interval allows one more guess, not a whole new hour).
import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { luhnCheckDigit } from '../../shared/domain/control-number.ts';
import { type GuessPolicy, planGuess, viewerKey } from '../../shared/domain/guess-limit.ts';
import { createTables } from '../../shared/storage/create-tables.ts';
import { createDynamoClients, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../shared/storage/dynamo-client.ts';
import { guessKey } from '../../shared/storage/guess-limiter.ts';
import { TABLE_KINDS } from '../../shared/storage/tables.ts';
import { DynamoVoteStore } from '../../shared/storage/vote-store.ts';
import { importHolders } from '../../shared/voting/register-import.ts';
import { fetchBallot, type VotingDeps, VotingError } from '../../shared/voting/submit.ts';
import { hemacare, holder } from '../support/builders.ts';
import { uniqueTableNames } from '../support/local-env.ts';

const names = uniqueTableNames('guess');
const { client } = createDynamoClients({ endpoint: inject('dynamoEndpoint') });
// Hundreds of requests at once queue for the client's sockets: on a loaded machine the default 3 s
// to get a connection is not enough, and a timed-out request would prove nothing either way.
const doc = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    endpoint: inject('dynamoEndpoint'),
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 50 }), connectionTimeout: 60_000 },
  }),
);
const meeting = hemacare();
const SECRET = 'guess-secret';
const POLICY: GuessPolicy = { burst: 10, intervalMs: 60_000, dayBurst: 25, dayIntervalMs: 3_600_000 };
let clock = Date.parse('2002-06-01T17:00:00.000Z');
let numbers: Map<string, string>;

/** The store, counting every real look-up of a control number. */
class CountingStore extends DynamoVoteStore {
  lookups = 0;
  override async lookup(controlHash: string) {
    this.lookups++;
    return super.lookup(controlHash);
  }
}
let store: CountingStore;
let deps: VotingDeps;
let failures = 0;

beforeAll(async () => {
  await createTables(client, names);
  store = new CountingStore(doc, names, () => clock);
  deps = {
    meeting,
    store,
    secret: SECRET,
    now: () => clock,
    randomBytes,
    guessPolicy: POLICY,
    metrics: { count: (name) => void (name === 'ControlNumberFailures' && failures++) },
  };
  numbers = (
    await importHolders(
      doc,
      names,
      [holder('A-1', 1_000), holder('CEDE', meeting.sharesOutstanding - 1_000, { nominee: true })],
      SECRET,
      randomBytes,
    )
  ).issued;
});

afterAll(async () => {
  await Promise.allSettled(
    TABLE_KINDS.map((k) => client.send(new DeleteTableCommand({ TableName: names[k] }))),
  );
  client.destroy();
  doc.destroy();
});

/** A well-formed number (right check digit) that nobody holds. */
function guess(): string {
  const payload = Array.from(randomBytes(15), (b) => String(b % 10)).join('');
  return payload + String(luhnCheckDigit(payload));
}

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (e instanceof VotingError) return e.code;
    throw e;
  }
}

describe('the guessing limit under a burst', () => {
  it('lets 300 guesses sent at once from one viewer make no more look-ups than the limit', async () => {
    store.lookups = 0;
    failures = 0;
    const results = await Promise.all(
      Array.from({ length: 300 }, () => outcome(fetchBallot(deps, guess(), '198.51.100.7'))),
    );
    const count = (code: string) => results.filter((r) => r === code).length;
    expect(count('not-recognised')).toBe(POLICY.burst);
    expect(count('too-many-attempts')).toBe(300 - POLICY.burst);
    expect(store.lookups).toBe(POLICY.burst);
    expect(failures).toBe(POLICY.burst);
    const item = await doc.send(
      new GetCommand({ TableName: names.operations, Key: guessKey('198.51.100.7'), ConsistentRead: true }),
    );
    expect(item.Item?.failures).toBe(POLICY.burst);
    // The holder behind the same address waits too (the limit cannot know a number is right without
    // looking it up), and the refusal says how long.
    const e = await fetchBallot(deps, numbers.get('A-1') as string, '198.51.100.7').catch((x) => x);
    expect(e).toBeInstanceOf(VotingError);
    expect((e as VotingError).message).toMatch(/Try again in about a minute/);
    expect(store.lookups).toBe(POLICY.burst);
  });

  it('slides: one interval later one more guess is looked up, not a whole new window', async () => {
    clock += POLICY.intervalMs;
    store.lookups = 0;
    const results = await Promise.all(
      Array.from({ length: 50 }, () => outcome(fetchBallot(deps, guess(), '198.51.100.7'))),
    );
    expect(results.filter((r) => r === 'not-recognised')).toHaveLength(1);
    expect(store.lookups).toBe(1);
  });

  it('counts a whole IPv6 /64 as one viewer, and another /64 apart', async () => {
    store.lookups = 0;
    const rotating = Array.from(
      { length: 120 },
      (_, i) => `2001:db8:aa:bb:${((i * 7919) % 65_536).toString(16)}:${i.toString(16)}::1`,
    );
    const results = await Promise.all(rotating.map((ip) => outcome(fetchBallot(deps, guess(), ip))));
    expect(results.filter((r) => r === 'not-recognised')).toHaveLength(POLICY.burst);
    expect(store.lookups).toBe(POLICY.burst);
    expect(viewerKey(rotating[3] as string)).toBe('2001:db8:aa:bb::/64');
    const other = await outcome(fetchBallot(deps, guess(), '2001:db8:aa:cc::1'));
    expect(other).toBe('not-recognised');
  });

  it('gives the reservation back when the number is right: a family opens ballots all day', async () => {
    const family = '203.0.113.50';
    store.lookups = 0;
    // Right numbers, several at once (each in flight holds a reservation until it is found) and far
    // more than the limit one after another: none is refused.
    const results = await Promise.all(
      Array.from({ length: POLICY.burst - 2 }, (_, i) =>
        outcome(fetchBallot(deps, numbers.get(i % 2 ? 'A-1' : 'CEDE') as string, family)),
      ),
    );
    expect(results.every((r) => r === 'ok')).toBe(true);
    for (let i = 0; i < 30; i++)
      expect(await outcome(fetchBallot(deps, numbers.get('A-1') as string, family))).toBe('ok');
    // Their typos still count: after the burst of failures, the right number waits like the rest.
    const typos = await Promise.all(
      Array.from({ length: POLICY.burst + 5 }, () => outcome(fetchBallot(deps, guess(), family))),
    );
    expect(typos.filter((r) => r === 'not-recognised')).toHaveLength(POLICY.burst);
    expect(await outcome(fetchBallot(deps, numbers.get('A-1') as string, family))).toBe('too-many-attempts');
  });

  it('grows the delay: past the day level a viewer waits the day interval, not the short one', async () => {
    const viewer = '192.0.2.99';
    let made = 0;
    let lastRound = POLICY.burst;
    // Spend the day level by waiting out the short level again and again, until a round falls short.
    for (let round = 0; round < 10 && lastRound === POLICY.burst; round++) {
      const results = await Promise.all(
        Array.from({ length: POLICY.burst }, () => outcome(fetchBallot(deps, guess(), viewer))),
      );
      lastRound = results.filter((r) => r === 'not-recognised').length;
      made += lastRound;
      clock += POLICY.burst * POLICY.intervalMs;
    }
    // The day level stopped it, a little above its burst (it drained while the rounds went by).
    expect(lastRound).toBeLessThan(POLICY.burst);
    expect(made).toBeGreaterThanOrEqual(POLICY.dayBurst);
    expect(made).toBeLessThan(POLICY.dayBurst + POLICY.burst);
    // The short level is drained now, but the day level holds, and the wait is the day level's.
    const e = (await fetchBallot(deps, guess(), viewer).catch((x) => x)) as VotingError;
    expect(e.code).toBe('too-many-attempts');
    const minutes = Number(/about (\d+) minutes/.exec(e.message)?.[1]);
    expect(minutes).toBeGreaterThan(POLICY.intervalMs / 60_000);
  });
});

describe('the plan (pure)', () => {
  it('admits a fresh viewer, refuses past the burst, and says how long to wait', () => {
    const now = 1_000_000;
    expect(planGuess(null, now, POLICY).admitted).toBe(true);
    const full = {
      short: now + POLICY.burst * POLICY.intervalMs,
      day: now + POLICY.burst * POLICY.intervalMs,
    };
    const plan = planGuess(full, now, POLICY);
    expect(plan).toEqual({ admitted: false, retryAfterMs: POLICY.intervalMs });
  });
});
