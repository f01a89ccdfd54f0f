// Escaping for the text the product renders from holders' and meetings' data.

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for an HTML element or a quoted attribute. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

/** One line for an e-mail header or subject: no CR, LF or other control characters. */
export function headerSafe(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}
