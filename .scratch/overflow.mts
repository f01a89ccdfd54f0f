import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { renderBallotHtml } from '/work/we/shared/ballot-page/page.ts';
import { parseMeeting } from '/work/we/shared/domain/meeting.ts';

const meeting = parseMeeting(readFileSync('/work/we/meetings/hemacare-2002.json', 'utf8'));
const b = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
const ctx = await b.newContext({ viewport: { width: 320, height: 640 }, locale: 'es-US' });
const p = await ctx.newPage();
await p.setContent(renderBallotHtml(meeting, { lang: 'es' }));
console.log(
  await p.evaluate(
    `(() => { const d=document.documentElement; const out=[d.scrollWidth, d.clientWidth, document.body.scrollWidth]; const all=[...document.querySelectorAll('*')].map(e=>{const r=e.getBoundingClientRect(); return [Math.round(r.right), Math.round(r.width), e.tagName+'#'+e.id+'.'+e.className, e.scrollWidth]}).sort((a,b)=>b[0]-a[0]); return JSON.stringify([out, all.slice(0,8)]); })()`,
  ),
);
await b.close();
