// The printed notice: the print file's companion, one page per holder for a mail house to print and
// post (a window envelope shows the name and address at the top). Each page states the notice's facts
// (shared/domain/notice.ts, paper variant, in the holder's language), the control number, and a QR code
// made with the `qrcode` library. The QR code holds the bare ballot page's address (with `?lang=es` for
// a Spanish notice), nothing else: like every URL of the product it carries no credential, and the
// holder types the control number printed beside it.
import QRCode from 'qrcode';
import type { Meeting } from '../domain/meeting.ts';
import { type Lang, langOf, t } from '../domain/messages.ts';
import { ballotPageUrl, paperNoticeBody } from '../domain/notice.ts';
import type { PrintRow } from '../domain/print-file.ts';
import { proxyCardsHtml } from '../domain/proxy-card.ts';
import { escapeHtml } from '../domain/text.ts';
import type { PrintFileSink } from './ports.ts';

/** A QR code as inline SVG: one path of dark modules, a quiet zone of four modules, scalable. */
export function qrSvg(text: string, label: string): string {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  const quiet = 4;
  let path = '';
  for (let r = 0; r < size; r++)
    for (let c = 0; c < size; c++) if (modules.get(r, c)) path += `M${c + quiet} ${r + quiet}h1v1h-1z`;
  const full = size + 2 * quiet;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${full} ${full}" width="144" height="144" role="img" aria-label="${escapeHtml(label)}" shape-rendering="crispEdges"><rect width="${full}" height="${full}" fill="#ffffff"/><path d="${path}" fill="#000000"/></svg>`;
}

/** The address (the QR code opens it) of the ballot page for a language. */
export function qrTarget(ballotUrl: string, lang: Lang): string {
  return ballotPageUrl(ballotUrl, lang);
}

function qrFigure(ballotUrl: string, lang: Lang): string {
  const target = qrTarget(ballotUrl, lang);
  return `<figure style="margin:12px 0;display:flex;gap:16px;align-items:center">${qrSvg(target, target)}<figcaption style="max-width:24em">${escapeHtml(t(lang, 'notice.qr'))}<br><span style="font-family:monospace">${escapeHtml(target)}</span></figcaption></figure>`;
}

const PAGE_CSS = `
@page { size: letter; margin: 0.6in; }
body { margin: 0; }
article.notice { page-break-after: always; break-after: page; }
article.notice:last-child { page-break-after: auto; break-after: auto; }
.address { white-space: pre-line; font-family: Arial, Helvetica, sans-serif; font-size: 12pt; min-height: 1.2in; margin: 0 0 0.3in; }
`;

/** Every paper notice of a print run as one HTML document, one page each, in the rows' order. */
export function printedNoticesHtml(
  meeting: Meeting,
  ballotUrl: string,
  rows: readonly (PrintRow & { lang?: Lang })[],
): string {
  const qr = new Map<Lang, string>();
  const figure = (lang: Lang) => {
    let f = qr.get(lang);
    if (!f) {
      f = qrFigure(ballotUrl, lang);
      qr.set(lang, f);
    }
    return f;
  };
  const pages = rows.map((row) => {
    const h = row.holder;
    const lang = row.lang ?? langOf((h as { language?: string | null }).language);
    const address = [h.name, ...h.jointNames, h.mailingAddress].join('\n');
    return `<article class="notice" lang="${lang}">
<p class="address">${escapeHtml(address)}</p>
${paperNoticeBody({ meeting, holder: h, controlNumber: row.controlNumber, ballotUrl, lang }, figure(lang))}
</article>`;
  });
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(`${meeting.company.name}: ${meeting.title}`)}</title><style>${PAGE_CSS}</style></head>
<body>
${pages.join('\n')}
</body>
</html>
`;
}

/**
 * Beside a print file, when its sink writes companions: the printed notices (with the QR code) and the
 * holders' proxy cards. None for an empty run.
 */
export async function writePrintCompanions(
  sink: PrintFileSink,
  meeting: Meeting,
  ballotUrl: string,
  rows: readonly PrintRow[],
  /** An import's chunk: its companions are named by it, so a resumed chunk writes them again in place. */
  chunk?: number,
): Promise<{ notices: string; cards: string } | null> {
  if (!sink.writeCompanion || rows.length === 0) return null;
  const suffix = chunk === undefined ? '' : `.part-${String(chunk).padStart(6, '0')}`;
  const notices = await sink.writeCompanion(`notices${suffix}`, printedNoticesHtml(meeting, ballotUrl, rows));
  const cards = await sink.writeCompanion(
    `proxy-cards${suffix}`,
    proxyCardsHtml(
      meeting,
      ballotUrl,
      rows.map((r) => ({
        names: [r.holder.name, ...r.holder.jointNames],
        shares: r.holder.shares,
        controlNumber: r.controlNumber,
        lang: langOf((r.holder as { language?: string | null }).language),
      })),
    ),
  );
  return { notices, cards };
}
