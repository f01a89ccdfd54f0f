// A tiny auto-escaping HTML template tag for the ballot page: every interpolated value is escaped
// with escapeHtml unless it is markup built by this same tag (or explicitly trusted with `trusted`).
import { escapeHtml } from '../domain/text.ts';

export class Markup {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = Markup | string | number | boolean | null | undefined | readonly Part[];

function render(part: Part): string {
  if (part instanceof Markup) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  if (part === null || part === undefined || part === false) return '';
  return escapeHtml(String(part));
}

/** `html\`<p>${text}</p>\`` escapes `text`; nested `html` results are kept as markup. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Markup {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Markup(out);
}

/** Markup the page itself produced (the inline style and script); never holder or meeting text. */
export function trusted(source: string): Markup {
  return new Markup(source);
}
