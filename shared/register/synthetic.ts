// A deterministic, synthetic register of holders of record for local runs and tests. Nothing here
// is real except the public facts of the seed: the two directors of record and their addresses, and
// the depository's nominee name. Same seed, same register; no Math.random.
import { ACCOUNT_PATTERN, type Holder } from '../domain/holder.ts';

export const SYNTHETIC_ACCOUNT_COUNT = 3_000;
export const DEFAULT_SYNTHETIC_SEED = 20_020_419;
/** Below this the fixed holders (35,000 shares) and a depository majority leave too little to spread. */
export const MIN_SYNTHETIC_SHARES = 250_000;

export const CEDE_NAME = 'Cede & Co.';
export const DARLINGTON_SHARES = 20_000;
export const STEFFENHAGEN_SHARES = 15_000;

/** mulberry32: small, fast and good enough to make plausible test data from a 32-bit seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Random = () => number;

function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function intBetween(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** A standard normal deviate (Box-Muller), clamped to +-4 so no account dwarfs the rest. */
function normal(random: Random): number {
  const u = 1 - random();
  const v = random();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.max(-4, Math.min(4, z));
}

/**
 * Splits `total` whole units over `weights` in proportion (largest remainder, ties to the lower
 * index): the parts always add up to `total` exactly.
 */
function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (weights.length === 0 || sum <= 0) throw new Error('apportion needs positive weights');
  const quotas = weights.map((w) => (w / sum) * total);
  const parts = quotas.map((q) => Math.floor(q));
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = quotas
    .map((q, i) => ({ i, frac: q - Math.floor(q) }))
    .sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) {
    const idx = order[k]?.i ?? 0;
    parts[idx] = (parts[idx] ?? 0) + 1;
  }
  return parts;
}

const FIRST_NAMES = [
  'James',
  'Mary',
  'John',
  'Patricia',
  'Robert',
  'Jennifer',
  'Michael',
  'Linda',
  'William',
  'Elizabeth',
  'David',
  'Barbara',
  'Richard',
  'Susan',
  'Joseph',
  'Jessica',
  'Thomas',
  'Sarah',
  'Charles',
  'Karen',
  'Christopher',
  'Nancy',
  'Daniel',
  'Lisa',
  'Matthew',
  'Margaret',
  'Anthony',
  'Betty',
  'Donald',
  'Sandra',
  'Mark',
  'Ashley',
  'Paul',
  'Dorothy',
  'Steven',
  'Kimberly',
  'Andrew',
  'Emily',
  'Kenneth',
  'Donna',
  'Joshua',
  'Michelle',
  'Kevin',
  'Carol',
  'Brian',
  'Amanda',
  'George',
  'Melissa',
  'Edward',
  'Deborah',
  'Ronald',
  'Stephanie',
  'Timothy',
  'Rebecca',
  'Jason',
  'Laura',
  'Jeffrey',
  'Sharon',
  'Ryan',
  'Cynthia',
  'Gary',
  'Kathleen',
  'Nicholas',
  'Helen',
  'Eric',
  'Amy',
  'Frank',
  'Shirley',
  'Raymond',
  'Angela',
  'Hiroshi',
  'Mei',
  'Rajesh',
  'Priya',
  'Carlos',
  'Lucia',
  'Tuan',
  'Linh',
  'Ahmed',
  'Fatima',
] as const;

const LAST_NAMES = [
  'Smith',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Hernandez',
  'Lopez',
  'Gonzalez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Taylor',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Perez',
  'Thompson',
  'White',
  'Harris',
  'Sanchez',
  'Clark',
  'Ramirez',
  'Lewis',
  'Robinson',
  'Walker',
  'Young',
  'Allen',
  'King',
  'Wright',
  'Scott',
  'Torres',
  'Nguyen',
  'Hill',
  'Flores',
  'Green',
  'Adams',
  'Nelson',
  'Baker',
  'Hall',
  'Rivera',
  'Campbell',
  'Mitchell',
  'Carter',
  'Roberts',
  'Gomez',
  'Phillips',
  'Evans',
  'Turner',
  'Diaz',
  'Parker',
  'Cruz',
  'Edwards',
  'Collins',
  'Reyes',
  'Stewart',
  'Morris',
  'Morales',
  'Murphy',
  'Cook',
  'Rogers',
  'Gutierrez',
  'Ortiz',
  'Morgan',
  'Cooper',
  'Peterson',
  'Bailey',
  'Reed',
  'Kelly',
  'Howard',
  'Ramos',
  'Kim',
  'Cox',
  'Ward',
  'Richardson',
  'Watson',
  'Tanaka',
  'Nakamura',
  'Chen',
  'Wong',
  'Patel',
  'Shah',
  'Kowalski',
  'Novak',
  'Okafor',
  'Haddad',
] as const;

const STREETS = [
  'Oak',
  'Maple',
  'Cedar',
  'Pine',
  'Elm',
  'Walnut',
  'Sycamore',
  'Magnolia',
  'Willow',
  'Hillcrest',
  'Sunset',
  'Ventura',
  'Topanga Canyon',
  'Reseda',
  'Laurel',
  'Highland',
  'Lincoln',
  'Washington',
  'Park',
  'Lake',
  'Mission',
  'El Camino',
  'Vista',
  'Canyon',
  'Ridge',
  'Orchard',
  'Harbor',
  'Ocean',
  'Mountain View',
  'Valley',
  'Main',
  'Second',
  'Third',
  'Fifth',
  'Church',
  'Mill',
  'River',
  'Spring',
] as const;

const STREET_SUFFIXES = [
  'Street',
  'Avenue',
  'Boulevard',
  'Drive',
  'Lane',
  'Road',
  'Court',
  'Place',
  'Way',
] as const;

/** City, state, ZIP: real places, weighted towards California as a California company's register is. */
const PLACES = [
  ['Woodland Hills', 'CA', '91367'],
  ['Los Angeles', 'CA', '90024'],
  ['Los Angeles', 'CA', '90049'],
  ['Encino', 'CA', '91436'],
  ['Sherman Oaks', 'CA', '91403'],
  ['Pasadena', 'CA', '91101'],
  ['Santa Monica', 'CA', '90401'],
  ['Thousand Oaks', 'CA', '91360'],
  ['Calabasas', 'CA', '91302'],
  ['Irvine', 'CA', '92612'],
  ['Fullerton', 'CA', '92831'],
  ['Long Beach', 'CA', '90803'],
  ['San Diego', 'CA', '92103'],
  ['La Jolla', 'CA', '92037'],
  ['San Francisco', 'CA', '94115'],
  ['Palo Alto', 'CA', '94301'],
  ['Oakland', 'CA', '94610'],
  ['Sacramento', 'CA', '95819'],
  ['Fresno', 'CA', '93704'],
  ['Santa Barbara', 'CA', '93105'],
  ['Phoenix', 'AZ', '85016'],
  ['Las Vegas', 'NV', '89117'],
  ['Portland', 'OR', '97205'],
  ['Seattle', 'WA', '98112'],
  ['Denver', 'CO', '80206'],
  ['Dallas', 'TX', '75205'],
  ['Houston', 'TX', '77005'],
  ['Chicago', 'IL', '60614'],
  ['Minneapolis', 'MN', '55405'],
  ['New York', 'NY', '10023'],
  ['Brooklyn', 'NY', '11215'],
  ['Boston', 'MA', '02116'],
  ['Philadelphia', 'PA', '19103'],
  ['Atlanta', 'GA', '30305'],
  ['Miami', 'FL', '33133'],
  ['Boca Raton', 'FL', '33432'],
] as const;

const ENTITY_FORMS = [
  'Partners LP',
  'Family Partnership',
  'Investment Co.',
  'Holdings LLC',
  'Foundation',
] as const;

const TRUST_DATES = [
  '01/15/1991',
  '06/03/1994',
  '11/22/1996',
  '03/14/1998',
  '08/30/1999',
  '05/01/2001',
] as const;

function mailingAddress(random: Random): string {
  const [city, state, zip] = pick(random, PLACES);
  if (random() < 0.06) return `P.O. Box ${intBetween(random, 10, 9999)}, ${city}, ${state} ${zip}`;
  const street = `${intBetween(random, 1, 24_999)} ${pick(random, STREETS)} ${pick(random, STREET_SUFFIXES)}`;
  const unit =
    random() < 0.15 ? `, Apt ${intBetween(random, 1, 40)}${pick(random, ['', 'A', 'B', 'C'])}` : '';
  return `${street}${unit}, ${city}, ${state} ${zip}`;
}

interface Person {
  first: string;
  middle: string;
  last: string;
}

function person(random: Random, last?: string): Person {
  return {
    first: pick(random, FIRST_NAMES),
    middle: String.fromCharCode(65 + Math.floor(random() * 26)),
    last: last ?? pick(random, LAST_NAMES),
  };
}

const fullName = (p: Person) => `${p.first} ${p.middle}. ${p.last}`;

function emailFor(localParts: string[], account: string, random: Random): string {
  const local = localParts.map((s) => s.toLowerCase().replace(/[^a-z]/g, '')).join('.');
  const digits = account.replace(/\D/g, '').replace(/^0+/, '');
  return `${local}${digits}@${random() < 0.7 ? 'example.com' : 'example.org'}`;
}

interface Draft {
  name: string;
  jointNames: string[];
  emailParts: string[];
}

function draftHolder(random: Random): Draft {
  const roll = random();
  const p = person(random);
  if (roll < 0.68) return { name: fullName(p), jointNames: [], emailParts: [p.first, p.last] };
  if (roll < 0.84) {
    // Joint tenants: a spouse (same surname, usually) and sometimes a child as well.
    const spouse = person(random, random() < 0.85 ? p.last : undefined);
    const joint = [fullName(spouse)];
    if (random() < 0.2) joint.push(fullName(person(random, p.last)));
    return { name: fullName(p), jointNames: joint, emailParts: [p.first, p.last] };
  }
  if (roll < 0.92) {
    const name = `${fullName(p)}, Trustee of the ${p.last} Living Trust dtd ${pick(random, TRUST_DATES)}`;
    return { name, jointNames: [], emailParts: [p.first, p.last] };
  }
  if (roll < 0.95) {
    const child = person(random, p.last);
    const name = `${fullName(p)} Cust for ${child.first} ${child.last} UTMA ${pick(random, PLACES)[1]}`;
    return { name, jointNames: [], emailParts: [p.first, p.last] };
  }
  const other = pick(random, LAST_NAMES);
  const form = pick(random, ENTITY_FORMS);
  const name = other === p.last || random() < 0.5 ? `${p.last} ${form}` : `${p.last} & ${other} ${form}`;
  return { name, jointNames: [], emailParts: ['investors', p.last] };
}

/**
 * A register of SYNTHETIC_ACCOUNT_COUNT accounts whose shares add up exactly to `sharesOutstanding`:
 * Cede & Co. (the depository's nominee) with the street-name majority, the two directors of record
 * (Alan C. Darlington 20,000 and Julian L. Steffenhagen 15,000 shares) and registered holders in a
 * long-tailed spread, some joint, some with e-mail and e-delivery consent. Sorted by account.
 */
export function syntheticRegister(
  sharesOutstanding: number,
  seed: number = DEFAULT_SYNTHETIC_SEED,
): Holder[] {
  if (!Number.isSafeInteger(sharesOutstanding) || sharesOutstanding < MIN_SYNTHETIC_SHARES) {
    throw new RangeError(
      `sharesOutstanding must be a whole number of at least ${MIN_SYNTHETIC_SHARES}; got ${sharesOutstanding}`,
    );
  }
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer; got ${seed}`);
  const random = prng(seed);

  // Account numbers: increasing, with gaps as closed accounts leave on a real register.
  const accounts: string[] = [];
  let next = 1_000 + intBetween(random, 0, 500);
  for (let i = 0; i < SYNTHETIC_ACCOUNT_COUNT; i++) {
    accounts.push(`C${String(next).padStart(7, '0')}`);
    next += intBetween(random, 1, 40);
  }
  const account = (i: number): string => {
    const a = accounts[i];
    if (a === undefined) throw new Error(`no account ${i}`);
    return a;
  };

  // Where the three named accounts sit among the others.
  const cedeAt = intBetween(random, 0, 9);
  const darlingtonAt = intBetween(random, 400, 1_400);
  const steffenhagenAt = intBetween(random, 1_600, 2_800);

  const cedeShares = Math.floor(sharesOutstanding * (0.62 + random() * 0.06));
  const registered = sharesOutstanding - cedeShares - DARLINGTON_SHARES - STEFFENHAGEN_SHARES;
  const others = SYNTHETIC_ACCOUNT_COUNT - 3;

  // Long-tailed holdings: log-normal weights; everyone has at least one share; many hold round lots.
  const weights = Array.from({ length: others }, () => Math.exp(normal(random) * 1.3));
  const base = apportion(registered - others, weights).map((s) => s + 1);
  const roundLot = base.map((s) => s >= 200 && random() < 0.45);
  let freed = 0;
  const shares = base.map((s, i) => {
    if (!roundLot[i]) return s;
    const rounded = s - (s % 100);
    freed += s - rounded;
    return rounded;
  });
  const oddIdx = shares.map((_, i) => i).filter((i) => !roundLot[i]);
  const extra = apportion(
    freed,
    oddIdx.map((i) => weights[i] ?? 1),
  );
  oddIdx.forEach((i, k) => {
    shares[i] = (shares[i] ?? 0) + (extra[k] ?? 0);
  });

  const holders: Holder[] = [];
  let o = 0;
  for (let i = 0; i < SYNTHETIC_ACCOUNT_COUNT; i++) {
    const acct = account(i);
    if (i === cedeAt) {
      holders.push({
        account: acct,
        name: CEDE_NAME,
        jointNames: [],
        email: null,
        eDelivery: false,
        mailingAddress: 'c/o The Depository Trust Company, 55 Water Street, New York, NY 10041',
        shares: cedeShares,
        nominee: true,
      });
      continue;
    }
    if (i === darlingtonAt) {
      holders.push({
        account: acct,
        name: 'Alan C. Darlington',
        jointNames: [],
        email: 'alan.darlington@example.com',
        eDelivery: true,
        mailingAddress: '21101 Oxnard Street, Woodland Hills, CA 91367',
        shares: DARLINGTON_SHARES,
        nominee: false,
      });
      continue;
    }
    if (i === steffenhagenAt) {
      holders.push({
        account: acct,
        name: 'Julian L. Steffenhagen',
        jointNames: [],
        email: null,
        eDelivery: false,
        mailingAddress: 'c/o Beckman Coulter, 2500 Harbor Blvd., Fullerton, CA 92834',
        shares: STEFFENHAGEN_SHARES,
        nominee: false,
      });
      continue;
    }
    const draft = draftHolder(random);
    const hasEmail = random() < 0.45;
    const email = hasEmail ? emailFor(draft.emailParts, acct, random) : null;
    holders.push({
      account: acct,
      name: draft.name,
      jointNames: draft.jointNames,
      email,
      eDelivery: hasEmail && random() < 0.6,
      mailingAddress: mailingAddress(random),
      shares: shares[o] ?? 0,
      nominee: false,
    });
    o++;
  }

  const total = holders.reduce((sum, h) => sum + h.shares, 0);
  if (total !== sharesOutstanding)
    throw new Error(`synthetic register adds up to ${total}, not ${sharesOutstanding}`);
  for (const h of holders) {
    if (!ACCOUNT_PATTERN.test(h.account) || !Number.isInteger(h.shares) || h.shares < 1) {
      throw new Error(`synthetic register produced a bad account ${JSON.stringify(h)}`);
    }
  }
  return holders;
}
