// `npm start` end to end: the real script in a child process, on free ports.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/proxyvote.ts';
import { readPrintFile } from '../../shared/domain/print-file.ts';
import { findFreePorts } from '../../shared/local/ports.ts';
import { S3ObjectStore, s3Client } from '../../shared/notices/s3.ts';
import { numberInNotice } from '../support/notices.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'proxyvote-local-stack-'));

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(args: string[], env: NodeJS.ProcessEnv = process.env): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/local-stack.ts', ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, output: () => out, exited };
}

/** Resolves when the output matches; rejects if the process exits first. */
function waitFor(r: Run, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = r.output().match(pattern);
      if (m) {
        cleanup();
        resolve(m);
      }
    };
    const onExit = () => {
      cleanup();
      const m = r.output().match(pattern);
      if (m) resolve(m);
      else reject(new Error(`the local stack exited before printing ${pattern}:\n${r.output()}`));
    };
    const cleanup = () => {
      r.child.stdout?.off('data', check);
      r.child.stderr?.off('data', check);
      r.child.off('exit', onExit);
    };
    r.child.stdout?.on('data', check);
    r.child.stderr?.on('data', check);
    r.child.once('exit', onExit);
    check();
  });
}

/** Every process below `pid` (children, grandchildren, ...), with its command line. */
function descendants(pid: number): { pid: number; command: string }[] {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .flatMap((m) => (m ? [{ pid: Number(m[1]), ppid: Number(m[2]), command: m[3] ?? '' }] : []));
  const found: { pid: number; command: string }[] = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift();
    for (const p of table.filter((row) => row.ppid === parent)) {
      found.push({ pid: p.pid, command: p.command });
      queue.push(p.pid);
    }
  }
  return found;
}

/** Alive = exists and is not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    const state = readFileSync(stat, 'utf8').replace(/^.*\)\s+/, '')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

async function eventuallyGone(pids: number[]): Promise<number[]> {
  for (let i = 0; i < 100; i++) {
    const left = pids.filter(alive);
    if (left.length === 0) return [];
    await new Promise((r) => setTimeout(r, 100));
  }
  return pids.filter(alive);
}

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

const started: Run[] = [];
const track = (r: Run): Run => {
  started.push(r);
  return r;
};

afterAll(async () => {
  // Whatever a failed test left running: SIGTERM first, so the script stops its JVM (a SIGKILL
  // would orphan it), SIGKILL only if it does not go.
  await Promise.all(
    started
      .filter((r) => r.child.exitCode === null && r.child.signalCode === null)
      .map(async (r) => {
        const java = descendants(r.child.pid ?? 0).filter((p) => p.command.includes('DynamoDBLocal.jar'));
        r.child.kill('SIGTERM');
        const timer = setTimeout(() => r.child.kill('SIGKILL'), 15_000);
        await r.exited;
        clearTimeout(timer);
        for (const p of java) if (alive(p.pid)) process.kill(p.pid, 'SIGKILL');
      }),
  );
  rmSync(tmp, { recursive: true, force: true });
}, 60_000);

describe('npm start (scripts/local-stack.ts)', { timeout: 180_000 }, () => {
  let stack: Run;
  let ports: { api: number; dynamo: number; ses: number; s3: number };
  let urls: { api: string; health: string; mail: string };

  beforeAll(async () => {
    const [api = 0, dynamo = 0, ses = 0, s3 = 0] = await findFreePorts(4);
    ports = { api, dynamo, ses, s3 };
    stack = track(
      run([
        '--api-port',
        String(api),
        '--dynamo-port',
        String(dynamo),
        '--ses-port',
        String(ses),
        '--s3-port',
        String(s3),
      ]),
    );
    await waitFor(stack, /Press Ctrl-C to stop/);
    const out = stack.output();
    urls = {
      api: out.match(/^\s*API\s+(http:\S+)/m)?.[1] ?? '',
      health: out.match(/^\s*Health\s+(http:\S+)/m)?.[1] ?? '',
      mail: out.match(/^\s*Mail viewer\s+(http:\S+)/m)?.[1] ?? '',
    };
  }, 180_000);

  it('prints the API, health, ballot and mail viewer URLs on 127.0.0.1', () => {
    expect(urls.api).toBe(`http://127.0.0.1:${ports.api}`);
    expect(urls.health).toBe(`http://127.0.0.1:${ports.api}/health`);
    expect(stack.output()).toContain(`http://127.0.0.1:${ports.api}/vote`);
    expect(urls.mail).toBe(`http://127.0.0.1:${ports.ses}/`);
    expect(stack.output()).toMatch(
      /imported 3,000 synthetic holders, 7,595,175 shares \(seed \d+\), one control number each/,
    );
  });

  it('answers GET /health with 200 and the mail viewer with 200', async () => {
    const health = await get(urls.health);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body).status).toBe('ok');
    const mail = await get(urls.mail);
    expect(mail.status).toBe(200);
  });

  it('e-mails the notices, prints the paper ones, and a notice link opens the ballot', async () => {
    const m = stack
      .output()
      .match(/Notices\s+([\d,]+) being e-mailed now .*; ([\d,]+) on paper: print file (\S+)/);
    expect(m).not.toBeNull();
    const [queued, paper] = [m?.[1], m?.[2]].map((n) => Number(String(n).replace(/,/g, ''))) as [
      number,
      number,
    ];
    expect(queued).toBeGreaterThan(0);
    expect(queued + paper).toBe(3_000);
    const done = await waitFor(
      stack,
      /Notices sent\s+([\d,]+) e-mailed \(open the mail viewer\)(?:, ([\d,]+) outcome unknown)?/,
    );
    const [emailed, unknown] = [done[1], done[2] ?? '0'].map((n) => Number(String(n).replace(/,/g, ''))) as [
      number,
      number,
    ];
    expect(emailed + unknown).toBe(queued);
    const store = JSON.parse((await get(`${urls.mail}store`)).body) as {
      emails: { subject: string; body: { text: string } }[];
    };
    const notices = store.emails.filter((e) => e.subject.includes('notice of'));
    // A send whose answer timed out on a loaded machine may or may not have reached the mail viewer.
    expect(notices.length).toBeGreaterThanOrEqual(emailed);
    expect(notices.length).toBeLessThanOrEqual(emailed + unknown);
    const link = /(http:\/\/127\.0\.0\.1:\d+\/vote)#t=([A-Za-z0-9_-]{22})/.exec(notices[0]?.body.text ?? '');
    expect(link?.[1]).toBe(`${urls.api}/vote`);
    // The link's token opens the ballot once (the page posts it), and sets a session cookie.
    const opened = await fetch(`${urls.api}/api/link`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ linkToken: link?.[2] }),
    });
    expect(opened.status).toBe(200);
    expect(opened.headers.get('set-cookie')).toMatch(
      /^pv_session=[A-Za-z0-9_-]{43}; Path=\/api; HttpOnly; SameSite=Strict/,
    );
    const ballot = await fetch(`${urls.api}/api/ballot`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ controlNumber: numberInNotice(notices[0]?.body.text ?? '') }),
    });
    expect(ballot.status).toBe(200);
    // The print file is an object in the meeting's bucket (s3rver), read through the project's S3 adapter.
    const printFile = /^s3:\/\/([^/]+)\/(.+)$/.exec(m?.[3] ?? '');
    expect(printFile).not.toBeNull();
    const s3 = s3Client({ endpoint: `http://127.0.0.1:${ports.s3}` });
    const rows = readPrintFile(await new S3ObjectStore(printFile?.[1] ?? '', s3).get(printFile?.[2] ?? ''));
    s3.destroy();
    expect(rows).toHaveLength(paper);
    const paperBallot = await fetch(`${urls.api}/api/ballot`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ controlNumber: rows[0]?.control_number }),
    });
    expect(paperBallot.status).toBe(200);
  });

  it('prints one key pair per role; the CLI signs with them, each role only for its routes', async () => {
    const out = stack.output();
    const file = /AWS_SHARED_CREDENTIALS_FILE=(\S+)/.exec(out)?.[1] as string;
    expect(readFileSync(file, 'utf8').match(/^\[proxyvote-local-[a-z]+\]$/gm)).toEqual([
      '[proxyvote-local-clerk]',
      '[proxyvote-local-inspector]',
      '[proxyvote-local-supervisor]',
    ]);
    for (const role of ['clerk', 'inspector', 'supervisor'])
      expect(out).toMatch(new RegExp(`${role}\\s+proxyvote-local-${role}\\s+AKIA[0-9A-F]{16}`));
    const cli = async (profile: string, args: string[]) => {
      const saved = { ...process.env };
      Object.assign(process.env, {
        AWS_PROFILE: profile,
        AWS_SHARED_CREDENTIALS_FILE: file,
        PROXYVOTE_API: urls.api,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      });
      let text = '';
      try {
        const code = await main(args, { out: (x) => (text += x), err: (x) => (text += x) });
        return { code, text };
      } finally {
        process.env = saved;
      }
    };
    const dir = join(tmp, 'export');
    const exported = await cli('proxyvote-local-inspector', ['export', '--out', dir]);
    expect(exported.code, exported.text).toBe(0);
    expect(exported.text).toContain('wrote 3,000 holders');
    const byClerk = await cli('proxyvote-local-clerk', ['export', '--out', join(tmp, 'export-clerk')]);
    expect(byClerk.code).toBe(1);
    expect(byClerk.text).toContain('wrong_role');
    expect(existsSync(join(tmp, 'export-clerk'))).toBe(false);
  });

  it('refuses to start on a port in use, naming the port and the flag', async () => {
    const [freeA = 0, freeB = 0] = await findFreePorts(2);
    const apiTaken = track(
      run(['--api-port', String(ports.api), '--dynamo-port', String(freeA), '--ses-port', String(freeB)]),
    );
    // DynamoDB Local listens on every interface; the check must still see it.
    const dynamoTaken = track(
      run(['--api-port', String(freeA), '--dynamo-port', String(ports.dynamo), '--ses-port', String(freeB)]),
    );
    const [a, d] = await Promise.all([apiTaken.exited, dynamoTaken.exited]);
    expect(a.code).toBe(1);
    expect(apiTaken.output()).toContain(`port ${ports.api}`);
    expect(apiTaken.output()).toContain('--api-port');
    expect(d.code).toBe(1);
    expect(dynamoTaken.output()).toContain(`port ${ports.dynamo}`);
    expect(dynamoTaken.output()).toContain('--dynamo-port');
  });

  it('refuses an invalid meeting file, naming each bad field', async () => {
    const meeting = JSON.parse(readFileSync(join(ROOT, 'meetings/hemacare-2002.json'), 'utf8'));
    meeting.sharesOutstanding = -5;
    meeting.proposals[0].seats = 0;
    const file = join(tmp, 'bad-meeting.json');
    writeFileSync(file, JSON.stringify(meeting));
    const [api = 0, dynamo = 0, ses = 0, s3 = 0] = await findFreePorts(4);
    const bad = track(
      run([
        '--meeting',
        file,
        '--api-port',
        String(api),
        '--dynamo-port',
        String(dynamo),
        '--ses-port',
        String(ses),
        '--s3-port',
        String(s3),
      ]),
    );
    const { code } = await bad.exited;
    expect(code).toBe(1);
    expect(bad.output()).toMatch(/sharesOutstanding: /);
    expect(bad.output()).toMatch(/proposals\.0\.seats: /);
  });

  it('says how to install Java when java is not on PATH', async () => {
    // A PATH holding node alone (node and java often share /usr/bin).
    const bin = join(tmp, 'bin-without-java');
    mkdirSync(bin, { recursive: true });
    symlinkSync(process.execPath, join(bin, 'node'));
    const [api = 0, dynamo = 0, ses = 0, s3 = 0] = await findFreePorts(4);
    const noJava = track(
      run(
        [
          '--api-port',
          String(api),
          '--dynamo-port',
          String(dynamo),
          '--ses-port',
          String(ses),
          '--s3-port',
          String(s3),
        ],
        {
          ...process.env,
          PATH: bin,
        },
      ),
    );
    const outcome = await Promise.race([
      noJava.exited.then(({ code }) => code),
      waitFor(noJava, /Press Ctrl-C to stop/).then(() => 'started' as const),
    ]);
    if (outcome === 'started') noJava.child.kill('SIGINT');
    expect(outcome).toBe(1);
    expect(noJava.output()).toContain('java was not found on PATH');
    expect(noJava.output()).toContain('apt-get install -y openjdk-17-jre-headless');
  });

  it('stops every child process, DynamoDB Local included, on SIGINT and exits 0', async () => {
    const pid = stack.child.pid ?? 0;
    const tree = descendants(pid);
    const java = tree.filter((p) => p.command.includes('DynamoDBLocal.jar'));
    expect(java).toHaveLength(1);
    expect(alive(java[0]?.pid ?? 0)).toBe(true);

    stack.child.kill('SIGINT');
    const { code } = await stack.exited;
    expect(code).toBe(0);
    // The script waits for Java's exit before its own, so Java is gone the moment the script is.
    expect(alive(java[0]?.pid ?? 0)).toBe(false);
    expect(await eventuallyGone(tree.map((p) => p.pid))).toEqual([]);
  });
});

describe('npm start, interrupted while starting', { timeout: 180_000 }, () => {
  it('stops DynamoDB Local even before it answers', async () => {
    const [api = 0, dynamo = 0, ses = 0, s3 = 0] = await findFreePorts(4);
    const r = track(
      run([
        '--api-port',
        String(api),
        '--dynamo-port',
        String(dynamo),
        '--ses-port',
        String(ses),
        '--s3-port',
        String(s3),
      ]),
    );
    const pid = r.child.pid ?? 0;
    // Wait until the JVM has been spawned (its pid is what the test needs), then interrupt.
    let java: { pid: number; command: string } | undefined;
    while (!java && r.child.exitCode === null) {
      java = descendants(pid).find((p) => p.command.includes('DynamoDBLocal.jar'));
      if (!java) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(java).toBeDefined();
    r.child.kill('SIGINT');
    const { code } = await r.exited;
    expect(code).toBe(0);
    expect(alive(java?.pid ?? 0)).toBe(false);
  });
});

describe('npm start -- --data DIR', { timeout: 180_000 }, () => {
  it('keeps the tables and the register between runs and does not load it twice', async () => {
    const data = join(tmp, 'data');
    const args = async () => {
      const [api = 0, dynamo = 0, ses = 0, s3 = 0] = await findFreePorts(4);
      return [
        '--data',
        data,
        '--api-port',
        String(api),
        '--dynamo-port',
        String(dynamo),
        '--ses-port',
        String(ses),
        '--s3-port',
        String(s3),
      ];
    };
    const first = track(run(await args()));
    await waitFor(first, /Press Ctrl-C to stop/);
    expect(first.output()).toMatch(/imported 3,000 synthetic holders/);
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);

    const second = track(run(await args()));
    await waitFor(second, /Press Ctrl-C to stop/);
    expect(second.output()).toMatch(/Register\s+already imported: 3,000 holders/);
    expect(second.output()).toMatch(/all existed/);
    second.child.kill('SIGINT');
    expect((await second.exited).code).toBe(0);
  });
});
