// The printed proxy card: the registrant's card, laid out as Rule 14a-19(e) has a universal proxy card
// laid out (RULES.md section 8): every nominee of every party, grouped by party (the registrant's
// first), alphabetical by last name within a group, every name in the same type and size; the most
// nominees that may be voted FOR stated prominently, with what an over-vote, an under-vote and a card
// with no nominee marked do. The same rules as the on-line ballot (shared/ballot-page/page.ts) and the
// same words (the catalog). One page per holder, with the holder's names, shares and control number.
// Under notice and access (Rule 14a-16(f)(2)) a card goes out with the paper materials, or ten days
// or more after the notice; never inside the notice itself.
import { formatControlNumber } from './control-number.ts';
import { cutoffText, meetingStartText } from './holder-time.ts';
import { choiceWord, joinNames, nomineeGroups, orderedNominees } from './holder-words.ts';
import {
  type Election,
  electionStandard,
  isContestedElection,
  isProxyContest,
  type Meeting,
  nomineeRecommendation,
} from './meeting.ts';
import { formatNumber, type Lang, t } from './messages.ts';
import { ballotPageUrl } from './notice.ts';
import { escapeHtml } from './text.ts';

export interface CardHolder {
  names: string[];
  shares: number;
  controlNumber: string;
}

const box = (label: string) =>
  `<span class="box"><span class="square" aria-hidden="true"></span>${escapeHtml(label)}</span>`;

function electionHtml(m: Meeting, e: Election, lang: Lang): string {
  const negative = electionStandard(m, e) === 'plurality' ? 'WITHHOLD' : 'AGAINST';
  const recFor = orderedNominees(m, e).filter((n) => nomineeRecommendation(m, n, undefined) === 'FOR');
  const recNeg = orderedNominees(m, e).filter((n) => nomineeRecommendation(m, n, undefined) === 'WITHHOLD');
  const limit = isContestedElection(e)
    ? `<div class="limit"><p class="max">${escapeHtml(t(lang, 'page.maxFor', { seats: e.seats }))}</p><ul>
<li>${escapeHtml(t(lang, 'page.overVote', { seats: e.seats }))}</li>
<li>${escapeHtml(t(lang, 'page.underVote', { seats: e.seats }))}</li>
<li>${escapeHtml(
        t(lang, 'page.noMark', {
          rec: `${choiceWord('FOR', lang)}: ${joinNames(
            recFor.map((n) => n.name),
            lang,
          )}`,
        }),
      )}</li>
</ul>${isProxyContest(m) ? `<p>${escapeHtml(t(lang, 'page.universal'))}</p>` : ''}</div>`
    : '';
  const recs = [
    recFor.length
      ? t(lang, 'card.recFor', {
          nominees: joinNames(
            recFor.map((n) => n.name),
            lang,
          ),
        })
      : '',
    recNeg.length
      ? t(lang, 'card.recWithhold', {
          against: choiceWord(negative, lang).toUpperCase(),
          nominees: joinNames(
            recNeg.map((n) => n.name),
            lang,
          ),
        })
      : '',
  ].filter((x) => x !== '');
  const groups = nomineeGroups(m, e)
    .map((g) => {
      const head =
        g.parties.length === 0
          ? ''
          : `<h3>${escapeHtml(g.partyNames.length > 1 ? t(lang, 'page.commonGroupLabel', { parties: joinNames(g.partyNames, lang) }) : t(lang, 'page.groupLabel', { party: g.partyNames[0] ?? '' }))}</h3>`;
      const rows = g.nominees
        .map(
          (n) =>
            `<tr><th scope="row" class="nominee">${escapeHtml(n.name)}</th><td>${box(choiceWord('FOR', lang))}</td><td>${box(choiceWord(negative, lang))}</td></tr>`,
        )
        .join('');
      return `${head}<table><tbody>${rows}</tbody></table>`;
    })
    .join('');
  return `<section class="proposal"><h2>${escapeHtml(t(lang, 'page.proposal', { id: e.id }))}. ${escapeHtml(e.title)}</h2>
${limit}${recs.map((r) => `<p>${escapeHtml(r)}</p>`).join('')}${groups}</section>`;
}

const CARD_CSS = `
@page { size: letter; margin: 0.5in; }
body { font-family: Arial, Helvetica, sans-serif; font-size: 11pt; line-height: 1.35; color: #000; margin: 0; }
article.card { page-break-after: always; break-after: page; max-width: 7.5in; }
article.card:last-child { page-break-after: auto; break-after: auto; }
h1 { font-size: 15pt; margin: 0 0 6pt; }
h2 { font-size: 12pt; margin: 12pt 0 4pt; }
h3 { font-size: 11pt; margin: 8pt 0 2pt; }
.limit { border: 2pt solid #000; padding: 4pt 8pt; margin: 6pt 0; }
.limit .max { font-size: 13pt; font-weight: bold; margin: 2pt 0; }
table { border-collapse: collapse; width: 100%; }
th.nominee { text-align: left; font-weight: normal; font-size: 11pt; padding: 3pt 0; width: 55%; }
td { padding: 3pt 6pt; }
.box { display: inline-flex; align-items: center; gap: 4pt; }
.square { display: inline-block; width: 10pt; height: 10pt; border: 1pt solid #000; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2pt 8pt; }
dt { font-weight: bold; }
dd { margin: 0; }
.sign { display: grid; grid-template-columns: 2fr 1fr; gap: 18pt 12pt; margin-top: 18pt; }
.line { border-top: 1pt solid #000; padding-top: 2pt; font-size: 9pt; }
`;

/** One holder's card as an <article> (no document around it). */
export function proxyCardArticle(m: Meeting, lang: Lang, ballotUrl: string, h: CardHolder): string {
  const party = m.parties?.[0]?.name ?? t(lang, 'card.boardParty');
  const proposals = m.proposals
    .map((p) =>
      p.kind === 'election'
        ? electionHtml(m, p, lang)
        : `<section class="proposal"><h2>${escapeHtml(t(lang, 'page.proposal', { id: p.id }))}. ${escapeHtml(p.title)}</h2>
<p>${escapeHtml(t(lang, 'page.matterRec', { rec: choiceWord(p.boardRecommendation, lang) }))}</p>
<p>${box(choiceWord('FOR', lang))} ${box(choiceWord('AGAINST', lang))} ${box(choiceWord('ABSTAIN', lang))}</p></section>`,
    )
    .join('\n');
  return `<article class="card" lang="${lang}">
<h1>${escapeHtml(t(lang, 'card.title', { company: m.company.name, title: m.title }))}</h1>
<p><strong>${escapeHtml(t(lang, 'card.solicited', { party }))}</strong></p>
<dl><dt>${escapeHtml(t(lang, 'card.holder'))}</dt><dd>${escapeHtml(joinNames(h.names, lang))}</dd>
<dt>${escapeHtml(t(lang, 'card.shares'))}</dt><dd>${escapeHtml(formatNumber(h.shares))}</dd>
<dt>${escapeHtml(t(lang, 'card.controlNumber'))}</dt><dd>${escapeHtml(formatControlNumber(h.controlNumber))}</dd></dl>
<p>${escapeHtml(t(lang, 'card.appoint', { proxyholders: joinNames(m.proxyholders, lang), title: m.title, start: meetingStartText(m, lang) }))}</p>
${proposals}
<p>${escapeHtml(t(lang, 'card.blank'))}</p>
<p>${escapeHtml(t(lang, 'card.dateNote'))}</p>
<div class="sign"><p class="line">${escapeHtml(t(lang, 'card.sign'))}</p><p class="line">${escapeHtml(t(lang, 'card.date'))}</p>
<p class="line">${escapeHtml(t(lang, 'card.signJoint'))}</p><p class="line">${escapeHtml(t(lang, 'card.date'))}</p></div>
<p>${escapeHtml(t(lang, 'card.internet', { cutoff: cutoffText(m, lang), url: ballotPageUrl(ballotUrl, lang) }))}</p>
</article>`;
}

/** The cards of a print run as one printable HTML document, one page each. */
export function proxyCardsHtml(
  m: Meeting,
  ballotUrl: string,
  cards: readonly (CardHolder & { lang: Lang })[],
): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(t('en', 'card.title', { company: m.company.name, title: m.title }))}</title><style>${CARD_CSS}</style></head>
<body>
${cards.map((c) => proxyCardArticle(m, c.lang, ballotUrl, c)).join('\n')}
</body>
</html>
`;
}
