// cdk-nag acknowledgements that need the synthesized form of a policy. cdk-nag names each wildcard
// resource of IAM5 by its CloudFormation text (`Resource::<RegisterBucket.Arn>/register/*`, or an
// export name when the resource comes from another stack), known only once cross-stack references
// are resolved: so the acknowledgement is added while the construct tree is validated, after that
// resolution and before cdk-nag runs, for exactly the wildcard resources the predicate accepts.
import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { CfnManagedPolicy, CfnPolicy } from 'aws-cdk-lib/aws-iam';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

interface PolicyDocument {
  Statement?: { Effect?: string; Resource?: unknown }[];
}

/** The IAM5 finding ids of the wildcard resources in the IAM policies (inline and managed) under `scope`. */
export function wildcardResourceFindings(scope: IConstruct): string[] {
  const found = new Set<string>();
  for (const node of scope.node.findAll()) {
    if (!(node instanceof CfnPolicy || node instanceof CfnManagedPolicy) || !CfnResource.isCfnResource(node))
      continue;
    const doc = Stack.of(node).resolve(node.policyDocument) as PolicyDocument;
    for (const statement of doc.Statement ?? []) {
      if (statement.Effect !== 'Allow') continue;
      const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
      for (const r of resources.map(flattenCfnReference)) if (r.includes('*')) found.add(r);
    }
  }
  return [...found];
}

/**
 * Acknowledges AwsSolutions-IAM5 for the wildcard resources under `scope` that `accept` matches (by
 * their flattened text), with `reason`. Others still fail the check.
 */
export function acknowledgeWildcardResources(
  scope: IConstruct,
  accept: (resource: string) => boolean,
  reason: string,
): void {
  scope.node.addValidation({
    validate: () => {
      for (const resource of wildcardResourceFindings(scope).filter(accept)) {
        Validations.of(scope).acknowledge({
          id: `AwsSolutions::AwsSolutions-IAM5[Resource::${resource}]`,
          reason,
        });
      }
      return [];
    },
  });
}
