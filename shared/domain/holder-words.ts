// Words a holder reads on more than one surface: the help contact, the names on an account, how each
// proposal will be voted, and the universal card's order of nominees (RULES.md section 8).
import { cardRecommendations, effectiveMarks } from './ballot.ts';
import type { Votes } from './instruction.ts';
import { type Election, isProxyContest, type Meeting, type Nominee } from './meeting.ts';
import { formatNumber, type Lang, t } from './messages.ts';

/** Who answers holders' questions: the meeting file's help contact, or the Corporate Secretary. */
export function helpContact(m: Meeting, lang: Lang): string {
  const h = m.help;
  if (!h) return t(lang, 'help.default', { company: m.company.name, address: m.company.address });
  const ways = [
    h.phone && t(lang, 'help.phone', { phone: h.phone }),
    h.email && t(lang, 'help.email', { email: h.email }),
    h.website && t(lang, 'help.website', { website: h.website }),
  ].filter((w): w is string => Boolean(w));
  return [h.name, ...ways].join(', ');
}

/** "A, B and C" in the language. */
export function joinNames(names: readonly string[], lang: Lang): string {
  if (names.length <= 1) return names[0] ?? '';
  return t(lang, 'names.and', { a: names.slice(0, -1).join(', '), b: names[names.length - 1] as string });
}

export function choiceWord(choice: string, lang: Lang): string {
  const key = `choice.${choice}` as const;
  return key === 'choice.FOR' ||
    key === 'choice.AGAINST' ||
    key === 'choice.WITHHOLD' ||
    key === 'choice.ABSTAIN'
    ? t(lang, key)
    : choice;
}

function splitWords(split: Record<string, number>, lang: Lang): string {
  return Object.entries(split)
    .map(([k, n]) => t(lang, 'vote.shares', { choice: choiceWord(k, lang), shares: formatNumber(Number(n)) }))
    .join(', ');
}

/** Lines describing how each proposal will be voted, in plain words (after the blank-card rule). */
export function describeVotes(meeting: Meeting, votes: Votes, nominee: boolean, lang: Lang = 'en'): string[] {
  const lines: string[] = [];
  for (const p of meeting.proposals) {
    const v = votes[p.id];
    if (p.kind === 'matter') {
      const given = v === undefined ? (nominee ? undefined : p.boardRecommendation) : v;
      const words =
        given === undefined
          ? t(lang, 'vote.notVoted')
          : typeof given === 'string'
            ? v === undefined
              ? t(lang, 'vote.asBoard', { choice: choiceWord(given, lang) })
              : choiceWord(given, lang)
            : splitWords(given as Record<string, number>, lang);
      lines.push(t(lang, 'vote.proposal', { id: p.id, title: p.title, words }));
      continue;
    }
    const ev = v !== undefined && typeof v === 'object' && 'marks' in v ? v : undefined;
    if (ev?.allocation) {
      const parts = p.nominees.map((n) =>
        t(lang, 'vote.votes', { name: n.name, votes: formatNumber(ev.allocation?.[n.id] ?? 0) }),
      );
      lines.push(t(lang, 'vote.allocation', { id: p.id, title: p.title, parts: parts.join('; ') }));
      continue;
    }
    // The internet ballot is the registrant's card (RULES.md section 8): blank lines follow the board.
    const marks = effectiveMarks(p, ev, !nominee, cardRecommendations(meeting, p, undefined));
    lines.push(t(lang, 'vote.proposalHead', { id: p.id, title: p.title }));
    for (const n of orderedNominees(meeting, p)) {
      const m = marks.get(n.id);
      const words =
        m === undefined
          ? t(lang, 'vote.notVoted')
          : typeof m === 'string'
            ? choiceWord(m, lang)
            : splitWords(m as Record<string, number>, lang);
      lines.push(`  ${t(lang, 'vote.nominee', { name: n.name, words })}`);
    }
  }
  return lines;
}

/** The last name a list is ordered by: the last word, leaving out a suffix such as "Jr." or "III". */
export function lastName(name: string): string {
  const words = name
    .replace(/,/g, ' ')
    .split(/\s+/)
    .filter((w) => w !== '');
  while (
    words.length > 1 &&
    /^(jr\.?|sr\.?|ii|iii|iv|v|esq\.?|ph\.?d\.?|m\.?d\.?)$/i.test(words.at(-1) ?? '')
  )
    words.pop();
  return words.at(-1) ?? name;
}

export interface NomineeGroup {
  /** The parties that nominate the group's nominees (several for common nominees); empty: no parties. */
  parties: string[];
  /** Their names, in the meeting file's order of parties. */
  partyNames: string[];
  nominees: Nominee[];
}

/**
 * The nominees as a universal card lists them (Rule 14a-19(e)): grouped by the parties that nominate
 * them, the registrant's group first (common nominees of the registrant and another party next), and
 * alphabetical by last name within a group. A meeting with one party or none keeps the file's order.
 */
export function nomineeGroups(m: Meeting, e: Election): NomineeGroup[] {
  if (!isProxyContest(m) || !m.parties) return [{ parties: [], partyNames: [], nominees: [...e.nominees] }];
  const order = new Map(m.parties.map((p, i) => [p.id, i]));
  const names = new Map(m.parties.map((p) => [p.id, p.name]));
  const groups = new Map<string, NomineeGroup>();
  for (const n of e.nominees) {
    const parties = [...(n.parties ?? [])].sort((a, b) => (order.get(a) ?? 99) - (order.get(b) ?? 99));
    const key = parties.join(',');
    let g = groups.get(key);
    if (!g) {
      g = { parties, partyNames: parties.map((p) => names.get(p) ?? p), nominees: [] };
      groups.set(key, g);
    }
    g.nominees.push(n);
  }
  const rank = (g: NomineeGroup) => g.parties.map((p) => order.get(p) ?? 99);
  const list = [...groups.values()].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < Math.min(ra.length, rb.length); i++)
      if (ra[i] !== rb[i]) return (ra[i] as number) - (rb[i] as number);
    return ra.length - rb.length;
  });
  for (const g of list)
    g.nominees.sort(
      (a, b) => lastName(a.name).localeCompare(lastName(b.name), 'en') || a.name.localeCompare(b.name, 'en'),
    );
  return list;
}

/** The nominees in the card's order (see nomineeGroups). */
export function orderedNominees(m: Meeting, e: Election): Nominee[] {
  return nomineeGroups(m, e).flatMap((g) => g.nominees);
}
