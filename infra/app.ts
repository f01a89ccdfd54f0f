// The CDK app: `npx cdk deploy --all -c meeting=meetings/hemacare-2002.json` (that file is the
// default; the deployment settings default to meetings/<id>.deploy.json, or `-c deploy=FILE`). Both
// files are validated at synth time, the meeting by the same zod schema the functions use; each
// meeting gets its own stacks, named after it (infra/meeting-stacks.ts).
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { routes } from '../functions/routes.ts';
import * as declaredWorkers from '../functions/workers.ts';
import { InvalidInputError } from '../shared/domain/meeting.ts';
import { defaultDeployFile, readDeploySettings } from './deploy-settings.ts';
import { DEFAULT_MEETING_FILE, readMeetingFile } from './meeting-context.ts';
import { buildMeetingStacks } from './meeting-stacks.ts';
import { readWorkersModule } from './worker-spec.ts';

const app = new App();
const meetingFile = String(app.node.tryGetContext('meeting') ?? DEFAULT_MEETING_FILE);
const deployFile = String(app.node.tryGetContext('deploy') ?? defaultDeployFile(meetingFile));

function orExit<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof InvalidInputError) {
      console.error(`${e.what} is invalid:\n${e.problems.map((p) => `  - ${p}`).join('\n')}`);
    } else {
      console.error((e as Error).message);
    }
    process.exit(1);
  }
}

const meeting = orExit(() => readMeetingFile(meetingFile));
const settings = orExit(() => readDeploySettings(deployFile));
const { workers, httpAccess } = orExit(() => readWorkersModule(declaredWorkers));

orExit(() =>
  buildMeetingStacks(app, {
    meeting,
    settings,
    routes,
    workers,
    httpAccess,
    defaultAccount: process.env.CDK_DEFAULT_ACCOUNT,
  }),
);

Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
