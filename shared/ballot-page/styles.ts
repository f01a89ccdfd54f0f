// The ballot page's style sheet: mobile first (one column, 44 px touch targets), a visible focus ring
// on everything operable, and colours chosen for at least 4.5:1 text contrast (WCAG AA). It is inlined
// in the page and allowed by its SHA-256 in the Content-Security-Policy.
export const BALLOT_CSS = `
:root {
  color-scheme: light;
  --ink: #1b1b1b;
  --muted: #474747;
  --line: #6b6b6b;
  --brand: #0b4f8a;
  --brand-soft: #e7eff7;
  --soft: #f2f5f8;
  --error: #a8201a;
  --error-soft: #fdeceb;
  --ok: #1b6130;
  --ok-soft: #e9f5ec;
  --focus: #b93a00;
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 1rem;
  line-height: 1.5;
  color: var(--ink);
  background: #fff;
  /* A long address or digest wraps instead of widening the page (reflow at 320 px and 200 % zoom). */
  overflow-wrap: anywhere;
}
.wrap { max-width: 42rem; margin: 0 auto; padding: 1rem; }
.site { background: var(--soft); border-bottom: 1px solid #d0d7de; }
.site p { margin: 0; }
.company { font-weight: 700; }
.address { color: var(--muted); }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.3rem; line-height: 1.3; margin: 1.5rem 0 0.75rem; }
h3 { font-size: 1.1rem; line-height: 1.3; margin: 1.25rem 0 0.5rem; }
[tabindex="-1"]:focus, [tabindex="-1"]:focus-visible { outline: none; }
p { margin: 0.5rem 0; }
a { color: var(--brand); text-underline-offset: 0.15em; }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
dl.facts { margin: 0.5rem 0 1rem; }
dl.facts dt { font-weight: 700; }
dl.facts dd { margin: 0 0 0.5rem; overflow-wrap: anywhere; }
dl.facts dt, dl.facts dd { min-width: 0; }
@media (min-width: 36rem) {
  dl.facts { display: grid; grid-template-columns: max-content 1fr; column-gap: 1rem; row-gap: 0.4rem; }
  dl.facts dd { margin: 0; }
  h1 { font-size: 1.75rem; }
}
.hint { color: var(--muted); margin: 0.25rem 0 0.5rem; }
.field { margin: 1rem 0; }
.field label { display: block; font-weight: 700; }
input[type="text"], select {
  font: inherit;
  color: var(--ink);
  background: #fff;
  min-height: 2.75rem;
  width: 100%;
  max-width: 22rem;
  padding: 0.5rem 0.6rem;
  border: 1px solid var(--line);
  border-radius: 0.375rem;
}
input.number { letter-spacing: 0.08em; }
input[aria-invalid="true"], select[aria-invalid="true"] { border: 2px solid var(--error); }
fieldset { border: 1px solid var(--line); border-radius: 0.5rem; margin: 0 0 1rem; padding: 0.5rem 0.75rem 0.75rem; min-width: 0; }
legend { font-weight: 700; padding: 0 0.25rem; }
fieldset.proposal > legend { float: left; width: 100%; padding: 0; margin: 0.25rem 0 0.5rem; font-size: 1.1rem; }
fieldset.proposal > legend + * { clear: both; }
fieldset.nominee { border-color: #8a8a8a; margin: 0.75rem 0 0; }
.num { display: block; font-size: 0.9rem; color: var(--muted); font-weight: 700; }
.rec { background: var(--brand-soft); border-radius: 0.375rem; padding: 0.5rem 0.75rem; }
.choices { display: flex; flex-wrap: wrap; gap: 0.5rem; margin-top: 0.5rem; }
.choice {
  display: flex;
  align-items: center;
  gap: 0.6rem;
  flex: 1 1 5.5rem;
  min-height: 2.75rem;
  padding: 0.5rem 0.75rem;
  border: 1px solid var(--line);
  border-radius: 0.5rem;
  cursor: pointer;
  background: #fff;
}
.choice input { width: 1.35rem; height: 1.35rem; margin: 0; accent-color: var(--brand); flex: none; }
.choice:has(input:checked) { border: 2px solid var(--brand); background: var(--brand-soft); font-weight: 700; }
.choice:has(input:focus-visible) { outline: 3px solid var(--focus); outline-offset: 2px; }
.allocation { border-top: 1px solid #c4c4c4; margin-top: 1rem; }
.allocation .field { margin: 0.75rem 0; }
button {
  font: inherit;
  font-weight: 700;
  min-height: 2.75rem;
  padding: 0.6rem 1.2rem;
  border-radius: 0.5rem;
  border: 2px solid var(--brand);
  background: #fff;
  color: var(--brand);
  cursor: pointer;
}
button.primary { background: var(--brand); color: #fff; }
button.danger { background: var(--error); border-color: var(--error); color: #fff; }
button[aria-disabled="true"] { cursor: progress; }
.actions { display: flex; flex-wrap: wrap; gap: 0.75rem; margin: 1rem 0; }
.actions button { flex: 1 1 12rem; }
.panel { background: var(--soft); border-radius: 0.5rem; padding: 0.75rem 1rem; margin: 1rem 0; }
.field-error { color: var(--error); font-weight: 700; margin: 0.35rem 0 0; }
.alert:empty { display: block; margin: 0; padding: 0; border: 0; }
.alert:not(:empty) {
  background: var(--error-soft);
  border-left: 4px solid var(--error);
  border-radius: 0.25rem;
  padding: 0.75rem 1rem;
  margin: 1rem 0;
}
.alert ul { margin: 0.5rem 0 0; padding-left: 1.25rem; }
.status:not(:empty) { color: var(--muted); margin: 0.5rem 0; }
.success { background: var(--ok-soft); border-left: 4px solid var(--ok); border-radius: 0.25rem; padding: 0.75rem 1rem; }
.warning { background: #fff4e0; border-left: 4px solid #8a5300; border-radius: 0.25rem; padding: 0.75rem 1rem; }
.code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 1.2rem; letter-spacing: 0.05em; font-weight: 700; }
ul.recorded { list-style: none; padding: 0; margin: 0.5rem 0; }
ul.recorded > li { padding: 0.4rem 0; border-bottom: 1px solid #d9d9d9; }
ul.recorded ul { list-style: none; padding-left: 0.75rem; margin: 0.25rem 0 0; }
.site-footer { color: var(--muted); border-top: 1px solid #d0d7de; margin-top: 2rem; }
[hidden] { display: none !important; }
.lang { margin: 0.25rem 0 0; }
.lang a { display: inline-block; min-height: 2.75rem; padding: 0.6rem 0; font-weight: 700; }
.limit { border: 2px solid var(--ink); border-radius: 0.5rem; padding: 0.5rem 0.75rem; margin: 0.5rem 0 0.75rem; }
.limit-max { font-size: 1.2rem; margin: 0.25rem 0; }
.limit ul { margin: 0.25rem 0; padding-left: 1.25rem; }
fieldset.party-group { border: 0; border-top: 2px solid var(--line); border-radius: 0; padding: 0.5rem 0 0; margin: 1rem 0 0; }
fieldset.party-group > legend { font-size: 1.05rem; padding: 0 0.5rem 0 0; }
ul.documents { padding-left: 1.25rem; }
ul.documents li { margin: 0.35rem 0; }
details.proof { margin: 1rem 0; border: 1px solid var(--line); border-radius: 0.5rem; padding: 0.5rem 0.75rem; }
details.proof summary { cursor: pointer; font-weight: 700; min-height: 2.75rem; display: flex; align-items: center; }
.hash { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; overflow-wrap: anywhere; word-break: break-all; }
.warning strong { display: block; }
@media (prefers-reduced-motion: reduce) { * { scroll-behavior: auto !important; } }
@media print {
  .actions, .revoke, .site-footer, .lang, #quick, #status, noscript { display: none !important; }
  body { font-size: 11pt; }
  .site { background: none; }
}
`;
