// The stateful stack's tables come from shared/storage/tables.ts (the same definitions the local
// stack uses) and are protected: PITR, deletion protection, retained, encrypted. cdk-nag's AWS
// Solutions pack must have nothing to say. Synthesized once for the whole file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MEETING_FILE, readMeetingFile, stackName } from '../../infra/meeting-context.ts';
import { StatefulStack } from '../../infra/stateful-stack.ts';
import { type KeyAttribute, TABLE_KINDS, TABLES } from '../../shared/storage/tables.ts';

const outdir = mkdtempSync(join(tmpdir(), 'proxyvote-cdk-'));
const meeting = readMeetingFile(DEFAULT_MEETING_FILE);
const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
const stack = new StatefulStack(app, stackName(meeting, 'stateful'), { meeting });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
// Throws ValidationFailed when cdk-nag reports anything.
const assembly = app.synth();
const template = Template.fromJSON(assembly.getStackByName(stack.stackName).template);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const keySchema = (pk: KeyAttribute, sk?: KeyAttribute) => [
  { AttributeName: pk.name, KeyType: 'HASH' },
  ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' }] : []),
];

function tableResource(kind: (typeof TABLE_KINDS)[number]) {
  const logicalId = `${kind.charAt(0).toUpperCase()}${kind.slice(1)}Table`;
  const entries = Object.entries(template.findResources('AWS::DynamoDB::Table'))
    .filter(([id]) => id.startsWith(logicalId))
    .map(([, r]) => r);
  expect(entries).toHaveLength(1);
  return entries[0] as {
    Properties: Record<string, unknown>;
    DeletionPolicy?: string;
    UpdateReplacePolicy?: string;
  };
}

describe('StatefulStack', () => {
  it('is named after the meeting and holds exactly the defined tables', () => {
    expect(stack.stackName).toBe('proxyvote-hemacare-2002-stateful');
    template.resourceCountIs('AWS::DynamoDB::Table', TABLE_KINDS.length);
  });

  describe.each(TABLE_KINDS)('the %s table', (kind) => {
    const def = TABLES[kind];

    it('has the key schema and indexes of its definition', () => {
      const props = tableResource(kind).Properties;
      expect(props.KeySchema).toEqual(keySchema(def.partitionKey, def.sortKey));
      const indexes = (props.GlobalSecondaryIndexes ?? []) as {
        IndexName: string;
        KeySchema: unknown;
        Projection: unknown;
      }[];
      expect(indexes).toEqual(
        def.globalIndexes.map((g) => ({
          IndexName: g.name,
          KeySchema: keySchema(g.partitionKey, g.sortKey),
          Projection: { ProjectionType: g.projection },
        })),
      );
      const declared = (props.AttributeDefinitions as { AttributeName: string; AttributeType: string }[]).map(
        (a) => `${a.AttributeName}:${a.AttributeType}`,
      );
      const expected = [
        def.partitionKey,
        def.sortKey,
        ...def.globalIndexes.flatMap((g) => [g.partitionKey, g.sortKey]),
      ]
        .filter((a): a is KeyAttribute => a !== undefined)
        .map((a) => `${a.name}:${a.type}`);
      expect(new Set(declared)).toEqual(new Set(expected));
    });

    it('has the stream and TTL of its definition, on-demand billing', () => {
      const props = tableResource(kind).Properties;
      expect(props.BillingMode).toBe(def.billing);
      expect(props.StreamSpecification).toEqual(def.stream ? { StreamViewType: def.stream } : undefined);
      expect(props.TimeToLiveSpecification).toEqual(
        def.ttlAttribute ? { AttributeName: def.ttlAttribute, Enabled: true } : undefined,
      );
    });

    it('has no fixed name, so that a retried or repeated deployment never collides with a retained one', () => {
      expect(tableResource(kind).Properties.TableName).toBeUndefined();
    });

    it('is protected: PITR, deletion protection, retained, AWS-managed encryption', () => {
      const resource = tableResource(kind);
      expect(resource.Properties.PointInTimeRecoverySpecification).toEqual({
        PointInTimeRecoveryEnabled: true,
      });
      expect(resource.Properties.DeletionProtectionEnabled).toBe(true);
      expect(resource.Properties.SSESpecification).toEqual({ SSEEnabled: true });
      expect(resource.DeletionPolicy).toBe('Retain');
      expect(resource.UpdateReplacePolicy).toBe('Retain');
    });
  });

  it('creates no SES identity and no queue unless asked to', () => {
    template.resourceCountIs('AWS::SES::EmailIdentity', 0);
    template.resourceCountIs('AWS::SQS::Queue', 0);
  });

  it('uses an existing SES identity as it is (mail.identity "existing"): creates none', () => {
    const other = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const existing = new StatefulStack(other, 'existing-identity', {
      meeting,
      mail: { from: 'proxy@corp.example', domain: 'corp.example', identity: 'existing' },
    });
    const withIdentity = new StatefulStack(other, 'created-identity', {
      meeting,
      mail: { from: 'proxy@corp.example', domain: 'corp.example', identity: 'create' },
    });
    Template.fromStack(existing).resourceCountIs('AWS::SES::EmailIdentity', 0);
    const created = Template.fromStack(withIdentity);
    created.resourceCountIs('AWS::SES::EmailIdentity', 1);
    created.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'corp.example',
      MailFromAttributes: Match.absent(),
    });
  });

  it('outputs each table name', () => {
    for (const kind of TABLE_KINDS) {
      template.hasOutput(`${kind.charAt(0).toUpperCase()}${kind.slice(1)}TableName`, {
        Value: Match.anyValue(),
      });
    }
  });
});
