// The print file: the notices that go by post (RULES.md section 3), one CSV row per holder for a
// mail-merge house. Each row carries the holder's control number (the only copy besides the holder's
// paper notice: RULES.md section 2; never inside a URL) and the notice's full text, so the paper notice states the same
// facts as the e-mail. Spreadsheets are the usual way such a file is opened, so every cell is quoted
// and a cell a spreadsheet would take for a formula is neutralised. Pure: no file system here.
import { formatControlNumber } from './control-number.ts';
import { csvCell } from './csv.ts';
import type { Holder } from './holder.ts';
import type { Meeting } from './meeting.ts';
import { langOf } from './messages.ts';
import { ballotPageUrl, noticeLines } from './notice.ts';

/** Why a holder's notice goes by post. */
export const PRINT_REASONS = ['no-e-delivery', 'bounced', 'complaint', 'operator'] as const;
export type PrintReason = (typeof PRINT_REASONS)[number];

export const ADDRESS_LINE_COLUMNS = 6;

export const PRINT_FILE_COLUMNS = [
  'account',
  'name',
  'joint_names',
  ...Array.from({ length: ADDRESS_LINE_COLUMNS }, (_, i) => `address_line_${i + 1}`),
  'mailing_address',
  'shares',
  'control_number',
  'voting_link',
  'reason',
  'reissued',
  'notice_text',
] as const;

export interface PrintRow {
  holder: Pick<Holder, 'account' | 'name' | 'jointNames' | 'mailingAddress' | 'shares' | 'language'>;
  /** 16 digits. */
  controlNumber: string;
  reason: PrintReason;
  /** The number replaces one e-mailed before (which no longer works). */
  reissued: boolean;
}

/** Every cell quoted, text neutralised against formulas (shared/domain/csv.ts, the one guard). */
const cell = (value: string) => csvCell(value, { quoteAll: true });

function addressLines(address: string): string[] {
  return address
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** Into the fixed columns: lines beyond the last column are joined into it. */
function addressColumns(lines: readonly string[]): string[] {
  if (lines.length <= ADDRESS_LINE_COLUMNS) return [...lines];
  return [...lines.slice(0, ADDRESS_LINE_COLUMNS - 1), lines.slice(ADDRESS_LINE_COLUMNS - 1).join(', ')];
}

/** The cells of one row, in PRINT_FILE_COLUMNS order, before quoting. */
export function printRowValues(meeting: Meeting, ballotUrl: string, row: PrintRow): string[] {
  const h = row.holder;
  const lines = addressLines(h.mailingAddress);
  const columns = addressColumns(lines);
  const text = noticeLines({ meeting, holder: h, controlNumber: row.controlNumber, ballotUrl }).join('\n');
  return [
    h.account,
    h.name,
    h.jointNames.join('; '),
    ...Array.from({ length: ADDRESS_LINE_COLUMNS }, (_, i) => columns[i] ?? ''),
    lines.join('\n'),
    String(h.shares),
    // In groups of four, as on the notice: a spreadsheet keeps it as text (a 16-digit number would
    // lose its last digit to floating point).
    formatControlNumber(row.controlNumber),
    // The bare page (in the holder's language): no URL carries the control number (a paper notice has
    // no link token either).
    ballotPageUrl(ballotUrl, langOf(h.language)),
    row.reason,
    row.reissued ? 'yes' : 'no',
    text,
  ];
}

/** The whole file: UTF-8 byte order mark (spreadsheets need it to read names right), header, CRLF. */
export function printFileCsv(meeting: Meeting, ballotUrl: string, rows: readonly PrintRow[]): string {
  const out = [PRINT_FILE_COLUMNS.map(cell).join(',')];
  for (const row of rows) out.push(printRowValues(meeting, ballotUrl, row).map(cell).join(','));
  return `\ufeff${out.join('\r\n')}\r\n`;
}

/**
 * Reads a print file back (for checks and tests): one record per row, keyed by column. Quoted cells
 * may span lines; a leading apostrophe added by the formula guard is kept, as a spreadsheet shows it.
 */
export function readPrintFile(text: string): Record<string, string>[] {
  const records: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' || c === '\n') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      records.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    records.push(row);
  }
  const [header = [], ...body] = records;
  return body.map((r) => Object.fromEntries(header.map((name, k) => [name, r[k] ?? ''])));
}
