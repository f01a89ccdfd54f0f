// The non-HTTP Lambda functions, as plain data: what starts each one, what it may touch, what it needs
// in its environment. The CDK compute stack (infra/compute-stack.ts, through infra/worker-spec.ts)
// builds one function per entry; functions/routes.ts lists the HTTP ones. The notices' design is in
// docs/notices.md; the numbers below are its defaults.
import type { FunctionAccess } from '../infra/access.ts';
import type { WorkerSpec } from '../infra/worker-spec.ts';

/** SES's sending limit the notices must stay under (a new production account: 14/s; see the SES console). */
export const SES_MAX_SEND_RATE = 14;
/**
 * Batches in flight at once on the notice queue (the SQS event source's maximum concurrency, at least 2).
 * The default: a deployment sets its own in `notices.maxConcurrency` of its settings file, checked at
 * synth against the register size and the SES quota (infra/meeting-stacks.ts applyNoticeSettings).
 */
export const NOTICE_MAX_CONCURRENCY = 2;
/** Per consumer instance (the token bucket in shared/notices/token-bucket.ts); the deployment's: `notices.sendRatePerConsumer`. */
export const NOTICE_SEND_RATE = 5;
/** Reminders run alone (one scheduled invocation at a time), after the notices are out. */
export const REMINDER_SEND_RATE = 5;
/** Notices per second over the account: NOTICE_MAX_CONCURRENCY x NOTICE_SEND_RATE = 10 < 14. */
export const NOTICE_ACCOUNT_RATE = NOTICE_MAX_CONCURRENCY * NOTICE_SEND_RATE;

/**
 * The vote reports' functions (the scheduled mailer and GET/POST /admin/reports): the FINAL claim and
 * a count's header (GetItem), the runs, a result's chunks and the deliveries (Query), each delivery
 * claimed (PutItem) and settled (UpdateItem), the report sent (SES), the recipients in their environment.
 */
const VOTE_REPORT_ACCESS: FunctionAccess = {
  mail: ['SendEmail'],
  tables: { operations: ['GetItem', 'Query', 'PutItem', 'UpdateItem'] },
  voteReportRecipients: true,
};

export const VOTE_REPORTS_HTTP_ACCESS: Readonly<Record<string, FunctionAccess>> = {
  'vote-reports': VOTE_REPORT_ACCESS,
};

export const workers: readonly WorkerSpec[] = [
  {
    // The confirmation e-mail of each internet proxy and revocation, from the votes table's stream
    // (INSERTs only), at most once per instruction (marker HOLDER#<account> / CONFIRM#<id> in the
    // register table), outside the voting request. Failed batches: retried, then to a dead-letter queue.
    name: 'confirmations',
    entry: 'functions/confirmations/handler.ts',
    description: 'Sends the confirmation e-mail of each stored internet instruction, once',
    triggers: [{ kind: 'votes-stream', batchSize: 10 }],
    environment: {
      // Few at a time (one batch per stream shard); SES's own throttling answers are retried.
      NOTICE_SEND_RATE: '0',
      NOTICE_STUCK_AFTER_SECONDS: '300',
    },
    access: {
      mail: ['SendEmail'],
      // Reads the holder (name, address), claims, completes or releases the marker beside it.
      tables: { register: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'] },
    },
    timeoutSeconds: 60,
  },
  {
    // Consumes the notice queue: one message per e-delivery holder ({ account, controlNumber }), put
    // there by the register import. Its event source mapping is created DISABLED: the messages wait
    // in the (encrypted) queue until the operator starts the sending (`proxyvote notices send`, or
    // POST /admin/notices/send), which enables the mapping. Partial batch failures per message;
    // failed messages come back after an exponential delay (the function changes their visibility)
    // and go to the dead-letter queue after maxReceiveCount receives.
    name: 'notice-sender',
    entry: 'functions/notice-sender/handler.ts',
    description: 'Sends each queued notice of meeting once (SES SendEmail), at a bounded rate',
    triggers: [
      {
        kind: 'queue',
        queue: 'notices',
        batchSize: 10,
        maxConcurrency: NOTICE_MAX_CONCURRENCY,
        enabled: false,
        maxReceiveCount: 5,
        // The messages carry control numbers: the queue is data (stateful stack, retained, age alarm).
        holdsRecords: true,
      },
    ],
    environment: {
      NOTICE_SEND_RATE: String(NOTICE_SEND_RATE),
      NOTICE_BACKOFF: 'sqs-visibility',
      NOTICE_RETRY_BASE_SECONDS: '30',
      // Well over the function's timeout (60 s): a 'sending' marker this old has lost its sender, and a
      // message whose sender died comes back after the visibility timeout (6 minutes) to find it stuck.
      NOTICE_STUCK_AFTER_SECONDS: '300',
    },
    access: {
      // Checks the number against the holder's hash (the secret), reads a batch's holders (BatchGetItem),
      // claims the markers in one transaction with a check of each holder's hash (PutItem,
      // ConditionCheckItem), completes them in one (UpdateItem), releases one SES refused (DeleteItem).
      controlSecret: true,
      mail: ['SendEmail'],
      tables: { register: ['BatchGetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'] },
    },
    // 10 records at 5/s take 2 s; the rest is DynamoDB and SES latency. No reserved concurrency: the
    // event source's maxConcurrency already caps the instances (and so the rate), and reserving would
    // fail in an account with little concurrency to spare.
    timeoutSeconds: 60,
    memorySize: 512,
  },
  {
    // The SES configuration set's events through SNS: Bounce and Complaint are recorded on the holder
    // named by the e-mail's `account` tag (the others are ignored).
    name: 'ses-events',
    entry: 'functions/ses-events/handler.ts',
    description: 'Records bounces and complaints on the holder; the holder moves to the print file',
    triggers: [{ kind: 'mail-events' }],
    access: { tables: { register: ['UpdateItem'] } },
    timeoutSeconds: 30,
  },
  {
    // Hourly in the meeting's time zone: sends the reminder that is due (REMINDER_DAYS_BEFORE_CUTOFF
    // days before the internet cut-off) to the holders with no effective proxy, at most once each; a
    // run that reaches its time limit stops and the next hour's run goes on from the markers.
    name: 'reminders',
    entry: 'functions/reminders/handler.ts',
    description: 'Reminds holders with no effective proxy before the cut-off, once per reminder',
    triggers: [{ kind: 'schedule', expression: '5 * * * ? *', description: 'notice reminders (hourly)' }],
    environment: {
      REMINDER_DAYS_BEFORE_CUTOFF: '7,2',
      NOTICE_SEND_RATE: String(REMINDER_SEND_RATE),
      NOTICE_STUCK_AFTER_SECONDS: '1800',
    },
    access: {
      mail: ['SendEmail'],
      // Scan of the register (holders and markers), the markers' writes, the votes' EFFECTIVE items.
      tables: { register: ['Scan', 'PutItem', 'UpdateItem', 'DeleteItem'], votes: ['BatchGetItem'] },
    },
    timeoutSeconds: 900,
    memorySize: 1024,
  },
  {
    // A register CSV uploaded to the register bucket under register/: imported all or nothing, chunk by
    // chunk (shared/notices/import.ts); each chunk's new control numbers go at once to the notice queue
    // (e-delivery) and to its part of the print file under print-files/ (paper), and the chunk is then
    // recorded as done in the operations table; a report (or every bad line) goes to import-reports/.
    // Near its time limit a run stops between two chunks and puts a continuation on register-imports,
    // which invokes it again (one message at a time); a run killed anyway is retried by Lambda and
    // resumes from the last recorded chunk.
    name: 'register-import',
    entry: 'functions/register-import/handler.ts',
    description: 'Imports an uploaded register and hands its new control numbers to the notices',
    triggers: [
      { kind: 'register-upload', prefix: 'register/', suffix: '.csv' },
      { kind: 'queue', queue: 'register-imports', batchSize: 1, maxConcurrency: 2, maxReceiveCount: 3 },
    ],
    access: {
      controlSecret: true,
      // Holder, control and link items; a new number for the holders of an interrupted chunk (the old
      // control item deleted, the holder updated, the notice marker checked absent).
      tables: {
        register: ['PutItem', 'DeleteItem', 'UpdateItem', 'ConditionCheckItem'],
        // The job (lease, totals) and its chunks.
        operations: ['GetItem', 'PutItem', 'UpdateItem', 'Query'],
      },
      sendTo: ['notices', 'register-imports'],
      // Reads the print file's parts back to join them (up to 20 parts).
      registerBucket: { read: ['register/', 'print-files/'], write: ['print-files/', 'import-reports/'] },
    },
    // CPU-bound (about 0.47 ms of CPU per holder measured locally: numbers, hashes, print rows):
    // 1,769 MB is one full vCPU, so 1,000,000 holders take about 8 minutes, one invocation (docs/performance.md).
    timeoutSeconds: 900,
    memorySize: 1769,
  },
  {
    // The count (issue "Tabulation", docs/counting.md). Nightly at 02:00 in the meeting's time
    // zone; every minute a cheap watch (two GetItems, one Query when idle) that runs the counts asked
    // for through POST /admin/tally and, once the polls are declared closed, the final count: once, under
    // a conditional claim, so no hook in the polls' closing is needed. A count reads the register and
    // the votes table with a parallel Scan (TABULATION_SEGMENTS), stores its snapshot (a header and
    // chunk items) in the operations table and publishes its EMF metrics. 1,000,000 accounts: about
    // 1.5 GB scanned and 40-60 s of CPU (docs/performance.md). Lambda gives CPU in proportion to memory:
    // one vCPU at 1,769 MB, two from 3,538 MB. The count reads its Scans on one worker thread per vCPU
    // (shared/tabulation/scan-threads.ts, TABULATION_THREADS=auto), so 3,538 MB lets the SDK's parsing,
    // the checks and the hashing run on a second core while the main thread counts: the memory itself
    // is not needed (peak RSS well under 1 GB), the second vCPU is. Billed per GB-second, twice the
    // memory for about half the duration costs about the same per count.
    name: 'tabulate',
    entry: 'functions/tabulate/handler.ts',
    description: "Counts the meeting (nightly, on request, final at the polls' close) and stores a snapshot",
    triggers: [
      {
        kind: 'schedule',
        expression: '0 2 * * ? *',
        input: { action: 'nightly' },
        description: 'nightly count, 02:00 meeting time',
      },
      {
        kind: 'schedule',
        expression: 'rate(1 minute)',
        input: { action: 'watch' },
        description: 'counts asked for through the admin API, and the final count once the polls close',
      },
      // `aws lambda invoke --payload '{"kind":"final"}'` for an operator with lambda:InvokeFunction.
      { kind: 'invoke' },
    ],
    environment: { TABULATION_SEGMENTS: '16', TABULATION_MODE: 'request', TABULATION_CUMULATIVE: 'false' },
    access: {
      tables: {
        // Parallel Scans of the holders and the instructions; a Query for an account a Scan split.
        register: ['Scan'],
        votes: ['Scan', 'Query'],
        // The POLLS item, the FINAL claim, requests, the snapshot header and its chunks.
        operations: ['GetItem', 'PutItem', 'UpdateItem', 'Query', 'BatchWriteItem'],
      },
    },
    timeoutSeconds: 900,
    memorySize: 3538,
  },
  {
    // The interim vote report during the solicitation: hourly, the newest nightly count's tally (totals
    // only) is mailed to every recipient of the deploy settings (voteReports.recipients: the corporate
    // secretary, each soliciting party) who has not had it, all at once, each delivery recorded in the
    // operations table. Nothing once the final count is made.
    name: 'vote-report-mailer',
    entry: 'functions/vote-report-mailer/handler.ts',
    description: "Mails the nightly count's interim vote report to every recipient at once",
    triggers: [
      { kind: 'schedule', expression: '20 * * * ? *', description: 'interim vote report (hourly check)' },
    ],
    access: VOTE_REPORT_ACCESS,
    timeoutSeconds: 120,
  },
];

// The HTTP function behind POST /admin/notices/send (functions/routes.ts), notices-admin, is in
// infra/access.ts: PutItem on operations (the record of the start) and the switch of the notice
// queue's consumer (NOTICE_CONSUMER_MAPPING_UUID, read by shared/notices/switch.ts).

/**
 * What the worker specs cannot say yet. The notice queue holds the control numbers from the import
 * until the operator starts the sending: its messages must be kept 14 days (the SQS maximum), not the
 * default retention of the other queues, or an import left unsent for longer loses its numbers.
 */
export const NOTICE_QUEUE_RETENTION_DAYS = 14;

/**
 * The HTTP functions of the count (functions/routes.ts), for infra/access.ts's HTTP_FUNCTION_ACCESS
 * (least privilege; nothing else is needed).
 */
export const TABULATION_HTTP_ACCESS: Readonly<Record<string, FunctionAccess>> = {
  // POST /admin/tally on AWS (TABULATION_MODE is `request` without a local endpoint): reads the POLLS
  // item and the FINAL claim, records the request for the tabulate worker.
  'tabulate-request': { tables: { operations: ['GetItem', 'PutItem', 'Query'] } },
  // GET /admin/tally: the run headers.
  snapshots: { tables: { operations: ['Query'] } },
  // GET /admin/tally/{run}: a header, its result and its leaf chunks; for the certificate the POLLS
  // item and the names of the holders it names (BatchGetItem on the register).
  snapshot: { tables: { operations: ['GetItem', 'Query'], register: ['BatchGetItem'] } },
  // GET /admin/export/{part}: one page of a Scan segment of the register or the votes table, or the
  // polls' state (the POLLS item).
  export: { tables: { register: ['Scan'], votes: ['Scan'], operations: ['GetItem'] } },
  // POST /api/counted: the ballot's holder lookup under the guessing limit, the account's history, the
  // final count's header, leaf chunk and result; the answer by e-mail on request.
  counted: {
    controlSecret: true,
    mail: ['SendEmail'],
    tables: {
      register: ['GetItem'],
      operations: ['UpdateItem', 'GetItem', 'Query'],
      votes: ['Query'],
    },
  },
  // GET /counted: renders the meeting file.
  'counted-page': {},
};

/** The operator's status functions (functions/routes.ts): least privilege, as infra/access.ts. */
export const STATUS_HTTP_ACCESS: Readonly<Record<string, FunctionAccess>> = {
  // GET /admin/status: the POLLS item, the notices' state (a parallel Scan of the register: holders,
  // their delivery records and notice markers), the sending starts and the last complete count (a Query
  // of the run headers and of its result chunks).
  status: { tables: { operations: ['GetItem', 'Query'], register: ['Scan'] } },
  // GET /admin/polls: the POLLS item.
  polls: { tables: { operations: ['GetItem'] } },
};

/** GET /admin/imports (functions/routes.ts): the import jobs, from the operations table. */
export const IMPORT_HTTP_ACCESS: Readonly<Record<string, FunctionAccess>> = {
  'import-status': { tables: { operations: ['Query'] } },
};
