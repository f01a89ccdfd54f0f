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

/**
 * A catalog message as markup: its text escaped, each `{name}` replaced by the parameter (markup kept,
 * text escaped). Parameters not given are left as written.
 */
export function message(template: string, params: Record<string, Markup | string | number> = {}): Markup {
  let out = '';
  let last = 0;
  for (const m of template.matchAll(/\{([A-Za-z0-9_]+)\}/g)) {
    const v = params[m[1] as string];
    if (v === undefined) continue;
    out +=
      escapeHtml(template.slice(last, m.index)) +
      render(typeof v === 'number' ? v.toLocaleString('en-US') : v);
    last = m.index + m[0].length;
  }
  return new Markup(out + escapeHtml(template.slice(last)));
}
