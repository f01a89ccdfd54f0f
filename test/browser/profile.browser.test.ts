// What the browser keeps cannot vote. A holder opens the notice's link in Chromium with a profile of
// its own (--user-data-dir in a fresh folder), votes, comes back by typing the control number and
// changes the vote; the browser is closed. Every file of the profile (History, Sessions, Current
// Session, Cookies, Web Data, Preferences, caches...) is then read, as bytes, as UTF-16 and as text:
// the control number is in none of them, in any of its forms, and every link token found there is
// spent (the API refuses it). A browser started again on that profile has no ballot session.
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatControlNumber } from '../../shared/domain/control-number.ts';
import { linkTokenFor } from '../../shared/domain/link-token.ts';
import { CHROMIUM_ARGS } from '../support/browser.ts';
import { hemacare, holder } from '../support/builders.ts';
import { postJson, startVotingStack, type VotingStack } from '../support/voting-stack.ts';

const meeting = hemacare();
let stack: VotingStack;
let profile: string;
let context: BrowserContext | undefined;

beforeAll(async () => {
  stack = await startVotingStack({
    label: 'profile',
    holders: [holder('P-1', 4_000, { name: 'Pat Park' }), holder('REST', meeting.sharesOutstanding - 4_000)],
    asOf: '2002-06-01T17:00:00Z',
  });
  profile = await mkdtemp(join(tmpdir(), 'proxyvote-chromium-profile-'));
});

afterAll(async () => {
  await context?.close();
  await stack?.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

const launch = () =>
  chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    locale: 'en-US',
  });

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    let s: ReturnType<typeof statSync>;
    try {
      s = statSync(path);
    } catch {
      continue; // a socket or lock link that vanished
    }
    if (s.isDirectory()) out.push(...filesUnder(path));
    else if (s.isFile()) out.push(path);
  }
  return out;
}

describe("Chromium's profile after a vote", () => {
  it('holds neither the control number nor a link token that still works', async () => {
    const number = stack.controls.get('P-1') as string;
    const token = linkTokenFor(number, Buffer.from(stack.secret, 'hex'));
    const link = `${stack.api.url}/vote#t=${token}`;

    context = await launch();
    const page = await context.newPage();
    // By the notice's link: vote as the Board recommends.
    await page.goto(link);
    await page.getByRole('heading', { name: 'Your ballot', level: 2 }).waitFor();
    await page.getByRole('button', { name: 'Vote as the Board recommends' }).click();
    await page.getByRole('button', { name: 'Send my vote' }).click();
    await page.getByRole('heading', { name: 'Your vote is recorded' }).waitFor();
    // Later, by the typed number (the link is spent): change the vote.
    await page.goto(`${stack.api.url}/vote`);
    await page.getByRole('textbox', { name: 'Control number' }).fill(formatControlNumber(number));
    await page.getByRole('button', { name: 'Open my ballot' }).click();
    await page.getByRole('heading', { name: 'Your ballot', level: 2 }).waitFor();
    await page
      .getByRole('group', { name: /^Proposal 2\b/ })
      .getByRole('radio', { name: 'Against' })
      .check();
    await page.getByRole('button', { name: 'Review my vote' }).click();
    await page.getByRole('button', { name: 'Send my vote' }).click();
    await page.getByRole('heading', { name: 'Your vote is recorded' }).waitFor();
    await context.close();
    context = undefined;

    // Every file of the profile, read every way a browser stores text.
    const forms = [number, formatControlNumber(number), number.replace(/(\d{4})(?=\d)/g, '$1-')];
    const tokens = new Set<string>();
    let sawBallotPage = false;
    const files = filesUnder(profile);
    expect(files.some((f) => /History$/.test(f))).toBe(true);
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const text of [
        bytes.toString('latin1'),
        bytes.toString('utf16le'),
        bytes.subarray(1).toString('utf16le'),
      ]) {
        for (const form of forms) expect(text.includes(form), `${file} holds the control number`).toBe(false);
        if (text.includes('/vote')) sawBallotPage = true;
        for (const m of text.matchAll(/#t=([A-Za-z0-9_-]{22})/g)) tokens.add(m[1] as string);
      }
    }
    // The scan reads the places the browser keeps its visits (else it would prove nothing).
    expect(sawBallotPage).toBe(true);
    // Whatever link token the profile kept is spent: the API opens no ballot with it.
    for (const t of tokens) {
      const res = await postJson(stack.api.url, '/api/link', { linkToken: t });
      expect(res.status).toBe(401);
    }

    // Started again on the same profile, the browser has no ballot session to vote with.
    context = await launch();
    const cookies = await context.cookies(stack.api.url);
    expect(cookies.filter((c) => c.name === 'pv_session')).toEqual([]);
    const again = await context.newPage();
    await again.goto(`${stack.api.url}/vote`);
    const status = await again.evaluate(async () => {
      const res = await fetch('api/ballot', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      return res.status;
    });
    expect(status).toBe(400);
  }, 120_000);
});
