// The CDK app: `npx cdk synth -c meeting=meetings/hemacare-2002.json` (that file is the default).
// The meeting file is validated at synth time; each meeting gets its own stacks, named after it.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { InvalidInputError } from '../shared/domain/meeting.ts';
import { DEFAULT_MEETING_FILE, readMeetingFile, stackName } from './meeting-context.ts';
import { StatefulStack } from './stateful-stack.ts';

const app = new App();
const file = String(app.node.tryGetContext('meeting') ?? DEFAULT_MEETING_FILE);

let meeting: ReturnType<typeof readMeetingFile>;
try {
  meeting = readMeetingFile(file);
} catch (e) {
  if (e instanceof InvalidInputError) {
    console.error(`${e.what} is invalid:\n${e.problems.map((p) => `  - ${p}`).join('\n')}`);
  } else {
    console.error((e as Error).message);
  }
  process.exit(1);
}

const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
new StatefulStack(app, stackName(meeting, 'stateful'), { meeting, env });

Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
