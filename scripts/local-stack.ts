// `npm start`: the whole product on this machine. DynamoDB Local (Java), the SES emulator, an
// S3-compatible endpoint (s3rver) holding the meeting's bucket, and the HTTP API (the Lambda handlers behind a local API Gateway stand-in), all on 127.0.0.1, with the
// meeting's tables created and a synthetic register loaded. Ctrl-C stops everything.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { offsetToReach } from '../shared/config/clock.ts';
import { InvalidInputError, type Meeting, meetingWarnings, parseMeeting } from '../shared/domain/meeting.ts';
import { OPERATOR_ROLES, ROLE_DUTIES } from '../shared/http/operators.ts';
import { checkJava, type DynamoLocal, startDynamoLocal } from '../shared/local/dynamo-local.ts';
import type { HttpAdapter } from '../shared/local/http-adapter.ts';
import { localControlSecret } from '../shared/local/local-secrets.ts';
import { isPortFree, LOCAL_HOST } from '../shared/local/ports.ts';
import type { S3Local } from '../shared/local/s3-local.ts';
import type { SesLocal } from '../shared/local/ses-local.ts';
import { createLocalKey, credentialsFile } from '../shared/local/sigv4-verify.ts';
import { DEFAULT_SYNTHETIC_SEED, syntheticRegister } from '../shared/register/synthetic.ts';
import { tableEnvironment, tableNames } from '../shared/storage/tables.ts';

// The AWS SDK, express (SES emulator) and the handlers load while DynamoDB Local's JVM boots: see main().
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const LOCAL_MAIL_FROM = 'Proxy Services <proxy@example.com>';
/** 20 May 2002, 10:00 in Los Angeles: after the notices, before the internet cut-off. */
const DEFAULT_AS_OF = '2002-05-20T17:00:00.000Z';

const USAGE = `Usage: npm start -- [options]

  --meeting FILE      meeting file to run (default meetings/hemacare-2002.json)
  --api-port N        HTTP API port (default 3000)
  --dynamo-port N     DynamoDB Local port (default 8000)
  --ses-port N        SES emulator and mail viewer port (default 8005)
  --s3-port N         S3-compatible endpoint of the meeting's bucket (default 8006)
  --data DIR          keep DynamoDB data in DIR between runs (default: in memory, lost on exit)
  --seed N            seed of the synthetic register (default ${DEFAULT_SYNTHETIC_SEED})
  --as-of INSTANT     run the clock as if it were this instant (default ${DEFAULT_AS_OF}, while the
                      reference meeting's internet voting is open); the clock then runs at real speed
  -h, --help          show this help`;

const started = Date.now();

/** The deploy settings' vote report recipients beside the meeting file (none when there is no such file). */
function localReportRecipients(meetingFile: string): unknown[] {
  let text: string;
  try {
    // meetings/<id>.json -> meetings/<id>.deploy.json, as the CDK app finds it (without loading CDK here).
    text = readFileSync(meetingFile.replace(/(\.json)?$/i, '.deploy.json'), 'utf8');
  } catch {
    return [];
  }
  try {
    return (JSON.parse(text) as { voteReports?: { recipients?: unknown[] } }).voteReports?.recipients ?? [];
  } catch {
    return [];
  }
}

function fail(message: string): never {
  console.error(`\nlocal stack: ${message}`);
  process.exit(1);
}

function parseCommandLine() {
  try {
    const { values } = parseArgs({
      options: {
        meeting: { type: 'string', default: 'meetings/hemacare-2002.json' },
        'api-port': { type: 'string', default: '3000' },
        'dynamo-port': { type: 'string', default: '8000' },
        'ses-port': { type: 'string', default: '8005' },
        's3-port': { type: 'string', default: '8006' },
        data: { type: 'string' },
        seed: { type: 'string', default: String(DEFAULT_SYNTHETIC_SEED) },
        'as-of': { type: 'string', default: DEFAULT_AS_OF },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    return values;
  } catch (e) {
    return fail(`${(e as Error).message}\n\n${USAGE}`);
  }
}

function portOption(value: string, flag: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65_535)
    fail(`${flag} must be a port number (1-65535), not "${value}"`);
  return port;
}

function readMeeting(file: string): { meeting: Meeting; text: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return fail(`cannot read the meeting file ${file}: ${(e as Error).message}`);
  }
  try {
    return { meeting: parseMeeting(text, `meeting file ${file}`), text };
  } catch (e) {
    if (e instanceof InvalidInputError) {
      return fail(`${e.what} is invalid:\n${e.problems.map((p) => `  - ${p}`).join('\n')}`);
    }
    throw e;
  }
}

const args = parseCommandLine();
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const ports = {
  api: portOption(args['api-port'], '--api-port'),
  dynamo: portOption(args['dynamo-port'], '--dynamo-port'),
  ses: portOption(args['ses-port'], '--ses-port'),
  s3: portOption(args['s3-port'], '--s3-port'),
};
if (!/^\d+$/.test(args.seed)) fail(`--seed must be a whole number, not "${args.seed}"`);
const seed = Number(args.seed);
const dataDir = args.data ? resolve(args.data) : undefined;
if (Number.isNaN(Date.parse(args['as-of'])))
  fail(`--as-of must be an ISO 8601 instant, not "${args['as-of']}"`);
const clockOffsetMs = offsetToReach(args['as-of']);

// 1. Prerequisites, before anything starts.
const java = checkJava();
if (!java.ok) fail(java.message ?? 'java is not usable');

const portNames = {
  api: ['HTTP API', '--api-port'],
  dynamo: ['DynamoDB Local', '--dynamo-port'],
  ses: ['SES emulator', '--ses-port'],
  s3: ['S3 endpoint', '--s3-port'],
} as const;
const used = new Map<number, string>();
for (const kind of ['api', 'dynamo', 'ses', 's3'] as const) {
  const [what, flag] = portNames[kind];
  const port = ports[kind];
  const other = used.get(port);
  if (other) fail(`${flag} ${port} is also the port of the ${other}: give each service its own port`);
  used.set(port, what);
  if (!(await isPortFree(port))) {
    fail(
      `port ${port} (${what}) is already in use on ${LOCAL_HOST}. Stop whatever uses it, or choose another port with ${flag} N`,
    );
  }
}

const meetingFile = resolve(args.meeting);
const { meeting, text: meetingJson } = readMeeting(args.meeting);
for (const w of meetingWarnings(meeting)) console.warn(`warning: ${w.path}: ${w.message}`);

// 2. Shut down cleanly on Ctrl-C / SIGTERM, also while still starting.
let dynamoStarting: Promise<DynamoLocal> | undefined;
let dynamo: DynamoLocal | undefined;
let ses: SesLocal | undefined;
let s3: S3Local | undefined;
let api: HttpAdapter | undefined;
let confirmations: { stop(): Promise<void> } | undefined;
let stopping = false;
const aborting = new AbortController();

async function shutdown(code: number, why: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  aborting.abort();
  console.log(`\nlocal stack: ${why}; stopping...`);
  await Promise.allSettled([api?.close(), confirmations?.stop(), ses?.stop(), s3?.stop()]);
  // Still starting? The abort makes startDynamoLocal stop the JVM itself.
  const running = dynamo ?? (await dynamoStarting?.catch(() => undefined));
  await running?.stop();
  console.log('local stack: stopped.');
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0, 'interrupted'));
process.on('SIGTERM', () => void shutdown(0, 'terminated'));
process.on('SIGHUP', () => void shutdown(0, 'hung up'));
// `npm start` runs this under `sh -c`: a SIGTERM sent to npm ends npm and the shell but never
// reaches this process. Once the parent is gone this process is re-parented: stop then.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void shutdown(0, 'the parent process exited');
}, 500).unref();

async function main(): Promise<void> {
  console.log(`Starting the local stack for ${meeting.company.name}, ${meeting.title} (${meeting.id})...`);
  dynamoStarting = startDynamoLocal({ port: ports.dynamo, dataDir, signal: aborting.signal }).then((d) => {
    dynamo = d;
    return d;
  });
  const [
    { routes },
    { startHttpAdapter },
    { startSesLocal },
    { startS3Local },
    notices,
    { createTables },
    sdk,
  ] = await Promise.all([
    import('../functions/routes.ts'),
    import('../shared/local/http-adapter.ts'),
    import('../shared/local/ses-local.ts'),
    import('../shared/local/s3-local.ts'),
    import('../shared/notices/local-run.ts'),
    import('../shared/storage/create-tables.ts'),
    import('../shared/storage/dynamo-client.ts'),
  ]);
  const { createDynamoClients, LOCAL_CREDENTIALS, LOCAL_REGION } = sdk;
  // Where the bucket's objects (the uploaded register, print files, import reports) and, for an
  // in-memory run, the control secret the CLI needs are kept.
  const noticesDir = dataDir ?? mkdtempSync(join(tmpdir(), 'proxyvote-local-'));
  if (!dataDir) {
    // In memory, the numbers die with the stack: so do the print file and the secret.
    process.once('exit', () => rmSync(noticesDir, { recursive: true, force: true }));
  }
  const bucket = `proxyvote-${meeting.id}-local`;
  const [startedDynamo, startedSes, startedS3] = await Promise.all([
    dynamoStarting,
    startSesLocal({ port: ports.ses }).then((s) => {
      ses = s;
      return s;
    }),
    startS3Local({ port: ports.s3, directory: join(noticesDir, 's3'), buckets: [bucket] }).then((s) => {
      s3 = s;
      return s;
    }),
  ]);
  if (stopping) {
    await Promise.allSettled([startedSes.stop(), startedS3.stop()]);
    return;
  }
  startedDynamo.process.once('exit', (code, signal) => {
    if (stopping) return;
    console.error(
      `local stack: DynamoDB Local exited unexpectedly (${code ?? signal}):\n${startedDynamo.output()}`,
    );
    void shutdown(1, 'DynamoDB Local is gone');
  });

  const names = tableNames(meeting.id);
  const { client, doc } = createDynamoClients({ endpoint: startedDynamo.endpoint });
  const tables = await createTables(client, names);

  const secret = localControlSecret(dataDir);
  // One key pair per operator role, as the three IAM roles on AWS: the CLI signs with them (a profile
  // each in a credentials file), the local adapter checks the signature and the role.
  const operatorKeys = OPERATOR_ROLES.map((role) => ({
    profile: `proxyvote-local-${role}`,
    key: createLocalKey(role),
  }));
  const holders = syntheticRegister(meeting.sharesOutstanding, seed);
  if (!dataDir) {
    writeFileSync(join(noticesDir, 'control-secret.hex'), `${secret}\n`, { mode: 0o600 });
  }
  const credentialsPath = join(noticesDir, 'operator-credentials');
  writeFileSync(credentialsPath, credentialsFile(operatorKeys), { mode: 0o600 });
  const ballotUrl = `http://${LOCAL_HOST}:${ports.api}/vote`;

  // The environment the Lambda handlers read, as the CDK stack sets it on AWS.
  Object.assign(process.env, {
    ...tableEnvironment(names),
    DYNAMODB_ENDPOINT: startedDynamo.endpoint,
    SES_ENDPOINT: startedSes.endpoint,
    S3_ENDPOINT: startedS3.endpoint,
    MEETING_ID: meeting.id,
    MEETING_FILE: meetingFile,
    MEETING_JSON: meetingJson,
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_LAMBDA_FUNCTION_NAME: `proxyvote-${meeting.id}-local`,
    POWERTOOLS_SERVICE_NAME: 'proxyvote',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    CONTROL_SECRET: secret,
    // The public routes answer only what came through CloudFront: the HTTP adapter plays it and adds
    // this secret, as CloudFront's origin header does on AWS.
    ORIGIN_SECRET: process.env.ORIGIN_SECRET ?? randomBytes(24).toString('hex'),
    MAIL_FROM: LOCAL_MAIL_FROM,
    BALLOT_URL: ballotUrl,
    // Notices: no rate limit against the local SES endpoint (set NOTICE_SEND_RATE to try one), and
    // no EMF metrics documents on this terminal (set POWERTOOLS_METRICS_DISABLED=false to see them).
    NOTICE_SEND_RATE: process.env.NOTICE_SEND_RATE ?? '0',
    // The SES emulator shares this process with everything else: give a busy machine time.
    NOTICE_SES_TIMEOUT_MS: process.env.NOTICE_SES_TIMEOUT_MS ?? '60000',
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    CLOCK_OFFSET_MS: String(clockOffsetMs),
    // The interim vote report's recipients, from the meeting's deploy settings when it has them.
    VOTE_REPORT_RECIPIENTS: JSON.stringify(localReportRecipients(meetingFile)),
  });
  if (stopping) return;

  // The register, uploaded to the bucket, is imported by the register-import function's own handler
  // (as S3's event runs it on AWS): it issues the control numbers and hands them on at once, the
  // e-delivery holders' to the in-process notice queue, the others' to a print file in the bucket,
  // with an import report beside it (shared/notices/local-run.ts).
  const localNotices = notices.localNotices({
    meeting,
    doc,
    tables: names,
    s3: { endpoint: startedS3.endpoint, bucket },
  });
  const imported = await localNotices.importRegister(holders);
  if (imported.outcome !== 'imported') {
    throw new Error(
      `the synthetic register was not imported (${imported.outcome}): see ${'report' in imported ? imported.report : 'the log'}`,
    );
  }
  const registerLine = imported.imported
    ? `imported ${imported.imported.toLocaleString('en-US')} synthetic holders, ${meeting.sharesOutstanding.toLocaleString('en-US')} shares (seed ${seed}), one control number each`
    : `already imported: ${imported.unchanged.toLocaleString('en-US')} holders (their control numbers went out with the first run's notices)`;
  if (stopping) return;
  // The operator's start (as `proxyvote notices send --override-40-day-rule`): the reference meeting
  // runs as of a date later than 40 days before it, so the rule is overridden and its warning shown.
  const sending = await localNotices.sendNow(clockOffsetMs);
  if (stopping) return;
  api = await startHttpAdapter({ routes, port: ports.api, adminKeys: operatorKeys.map((k) => k.key) });
  if (stopping) return;
  // The confirmation e-mails: the confirmations function's handler on the votes table's stream, read
  // from DynamoDB Local as Lambda's event source mapping reads it on AWS (at most once per instruction).
  const [{ StreamPoller }, { confirmationsFromEnv }] = await Promise.all([
    import('../shared/local/stream-poller.ts'),
    import('../shared/voting/confirmation-stream.ts'),
  ]);
  const poller = new StreamPoller({ client, table: names.votes, handler: confirmationsFromEnv(process.env) });
  poller.start((e) => console.warn(`confirmations: ${e instanceof Error ? e.name : 'error'}; polling again`));
  confirmations = poller;
  if (stopping) return;

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const ballotNote = routes.some((r) => r.path === '/vote') ? '' : '   (arrives with the voting issue)';
  const created = tables.created.length ? `created ${tables.created.join(', ')}` : 'all existed';
  console.log(`
proxyvote local stack is ready (${seconds} s): ${meeting.company.name}, ${meeting.title}

  API             ${api.url}
  Health          ${api.url}/health
  Ballot page     ${api.url}/vote${ballotNote}
  Mail viewer     ${startedSes.viewerUrl}   (SES emulator: every e-mail the stack sends)
  S3 bucket       ${startedS3.endpoint}/${bucket}   (s3rver: the uploaded register, print files, import reports)
  DynamoDB Local  ${startedDynamo.endpoint}   (${dataDir ? `data kept in ${dataDir}` : 'in memory: data is lost on exit; keep it with --data DIR'})

  Tables          ${Object.values(names).join(', ')} (${created})
  Register        ${registerLine}; report ${imported.report}
  Notices         ${sending.queued ? `${sending.queued.toLocaleString('en-US')} being e-mailed now (the mail viewer fills as they go; a line below says when all are out)` : 'none to e-mail'}; ${imported.printed.toLocaleString('en-US')} on paper${imported.printFile ? `: print file ${imported.printFile}` : ''}${sending.warning ? `\n                  warning: ${sending.warning}` : ''}
  Clock           as of ${new Date(Date.now() + clockOffsetMs).toISOString()} (--as-of); internet voting closes ${meeting.internetCutoff.local} ${meeting.internetCutoff.timeZone ?? meeting.timeZone}

Next:
  1. open the mail viewer, pick a notice and follow its "Vote now" link: the ballot opens
  2. vote, change the vote, and read the confirmation e-mails in the mail viewer
  3. operator entries and the inspector's recount, signed with a role's local key pair (SigV4, as on AWS;
     docs/operators.md), one profile per role in ${credentialsPath}:
${operatorKeys.map(({ profile, key }) => `       ${key.role.padEnd(10)} ${profile.padEnd(28)} ${key.accessKeyId}  (${ROLE_DUTIES[key.role]})`).join('\n')}
       export PROXYVOTE_API=${api.url} AWS_SHARED_CREDENTIALS_FILE=${credentialsPath}
       AWS_PROFILE=proxyvote-local-clerk npx proxyvote enter revocation --account <account> --dated 2002-05-20 --signed-by "<name>"
       AWS_PROFILE=proxyvote-local-inspector npx proxyvote export     (under ~/proxyvote-output; prints the recount command)
       AWS_PROFILE=proxyvote-local-inspector npx proxyvote tabulate run
       AWS_PROFILE=proxyvote-local-inspector npx proxyvote reports send --run latest   (the interim vote report: mail viewer)
       AWS_PROFILE=proxyvote-local-inspector npx proxyvote reports list
  4. notices: where they stand, paper notices for bounced holders, a reminder (on the stack's clock):
       export CLOCK_OFFSET_MS=${clockOffsetMs}
       npx proxyvote notices status --meeting ${args.meeting} --dynamo ${startedDynamo.endpoint}
       npx proxyvote notices print-file --meeting ${args.meeting} --dynamo ${startedDynamo.endpoint} --secret-file ${join(noticesDir, 'control-secret.hex')} --ballot-url ${ballotUrl}
       npx proxyvote notices remind --reminder 1 --meeting ${args.meeting} --dynamo ${startedDynamo.endpoint} --ses ${startedSes.endpoint} --from '${LOCAL_MAIL_FROM}' --ballot-url ${ballotUrl}
  aws dynamodb scan --endpoint-url ${startedDynamo.endpoint} --table-name ${names.register} --max-items 3

Press Ctrl-C to stop (DynamoDB Local stops with it).`);
  if (sending.queued) {
    void sending.done
      .then((r) =>
        console.log(
          `\nNotices sent    ${r.emailed.toLocaleString('en-US')} e-mailed (open the mail viewer)${r.unknown ? `, ${r.unknown} outcome unknown (see notices status)` : ''}${r.failed ? `, ${r.failed} failed (dead-letter list)` : ''}`,
        ),
      )
      .catch((e: unknown) => console.error(`local stack: the notices failed: ${(e as Error).message}`))
      .finally(() => client.destroy());
  } else client.destroy();
}

main().catch((e: unknown) => {
  if (stopping) return;
  console.error(`\nlocal stack: could not start: ${e instanceof Error ? e.message : String(e)}`);
  void shutdown(1, 'start-up failed');
});
