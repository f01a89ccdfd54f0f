// The one guard for every CSV meant to be opened by people in a spreadsheet (the inspector's report,
// the print file, operations' lists): a cell that a spreadsheet would read as a formula ("CSV
// injection", OWASP) gets a leading apostrophe, which spreadsheets show as text. Spreadsheets skip
// leading spaces (no-break and other Unicode spaces too) before a formula's sign, accept the
// full-width signs ＝ ＋ － ＠, and some start a formula after a leading tab, carriage return or line
// feed: all are caught. The exports for the recount (the register CSV, the JSONL history) are data
// for programs and stay exact: they never pass through here.

/** Leading white space of any kind, then a sign a spreadsheet starts a formula with. */
const FORMULA_START =
  /^[\s\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r\n]/;

/** Whether a spreadsheet could take this text for a formula. */
export function beginsLikeFormula(value: string): boolean {
  return FORMULA_START.test(value);
}

/** The text as a spreadsheet shows it as text: an apostrophe in front when it begins like a formula. */
export function neutralizeFormula(value: string): string {
  return beginsLikeFormula(value) ? `'${value}` : value;
}

/**
 * One cell (RFC 4180): text neutralised, numbers as digits, booleans as yes/no; quoted when it holds a
 * comma, a quote or a line break (or always, with `quoteAll`), a quote inside written twice.
 */
export function csvCell(value: string | number | boolean, options: { quoteAll?: boolean } = {}): string {
  const s =
    typeof value === 'number'
      ? String(value)
      : typeof value === 'boolean'
        ? value
          ? 'yes'
          : 'no'
        : neutralizeFormula(value);
  return options.quoteAll || /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
