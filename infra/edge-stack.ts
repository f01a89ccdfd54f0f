// The meeting's WAF web ACL. AWS WAF cannot be associated with an API Gateway HTTP API (only REST
// APIs, CloudFront, ALB, AppSync, Cognito, App Runner, Amplify, Verified Access), so the public API is
// served through a CloudFront distribution and the ACL has CLOUDFRONT scope, which AWS accepts only
// in us-east-1: hence this small stack of its own, always in us-east-1, whose ACL ARN the compute
// stack reads through a cross-Region reference.
import { Stack, type StackProps, Tags } from 'aws-cdk-lib';
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { Meeting } from '../shared/domain/meeting.ts';
import type { DeploySettings } from './deploy-settings.ts';

export const EDGE_REGION = 'us-east-1';

export interface EdgeStackProps extends StackProps {
  meeting: Meeting;
  settings: DeploySettings;
}

/** The metric names of the web ACL and its rules (namespace AWS/WAFV2, Region us-east-1). */
export const wafMetricNames = (meetingId: string) => ({
  acl: `proxyvote-${meetingId}`,
  rateRule: `proxyvote-${meetingId}-rate-per-address`,
  badInputs: `proxyvote-${meetingId}-bad-inputs`,
});

export class EdgeStack extends Stack {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, {
      description: `proxyvote: WAF web ACL of ${props.meeting.id} (CloudFront scope, us-east-1)`,
      crossRegionReferences: true,
      ...props,
      env: { account: props.env?.account, region: EDGE_REGION },
    });
    Tags.of(this).add('proxyvote:meeting', props.meeting.id);
    const names = wafMetricNames(props.meeting.id);
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: `proxyvote-${props.meeting.id}`,
      description: `proxyvote ${props.meeting.id}: rate limit per source address, known bad inputs`,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(names.acl),
      rules: [
        {
          // Control numbers are 16 digits with a check digit: guessing them takes volume. Each source
          // address gets a budget of requests per window, then 429 until it slows down.
          name: 'rate-per-source-address',
          priority: 0,
          action: { block: { customResponse: { responseCode: 429 } } },
          statement: {
            rateBasedStatement: {
              aggregateKeyType: 'IP',
              limit: props.settings.waf.requestsPerSourceAddress,
              evaluationWindowSec: props.settings.waf.windowSeconds,
            },
          },
          visibilityConfig: visibility(names.rateRule),
        },
        {
          // Requests known to exploit software (Log4j and the like); the broader common rule set is left
          // out on purpose, as its body inspections can refuse a shareholder's vote.
          name: 'aws-known-bad-inputs',
          priority: 1,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesKnownBadInputsRuleSet' },
          },
          visibilityConfig: visibility(names.badInputs),
        },
      ],
    });
  }
}
