// What every browser test launches: Debian's Chromium (never a test tool's own download) with the flags
// that work on these machines (TOOLING.md), and the accessibility rules axe checks (WCAG 2.0 A/AA, 2.1 AA).
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21aa'];
