// The three operator roles of a meeting, each allowed to invoke only its admin routes (execute-api:
// Invoke on those route ARNs, nothing else): the clerk, the inspector of elections and the supervisor.
// Which route is whose comes from the route table (functions/routes.ts, `role` of each admin route),
// the same table the local adapter enforces. Each role's permissions are a customer managed policy of
// a fixed name, so that an IAM Identity Center permission set can attach the same policy by name; the
// role itself trusts the account, so that whoever the account lets assume it (sts:AssumeRole) can.
import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { AccountRootPrincipal, ManagedPolicy, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { OPERATOR_ROLES, type OperatorRole, ROLE_DUTIES } from '../shared/http/operators.ts';
import type { HttpRoute } from '../shared/http/route.ts';
import { acknowledgeWildcardResources } from './nag.ts';

/** IAM role and policy names are at most 64 and 128 characters. */
const ROLE_NAME_LIMIT = 64;

export interface OperatorRolesProps {
  meetingId: string;
  api: HttpApi;
  routes: readonly HttpRoute[];
}

/** `proxyvote-<meeting>-<role>`: the name of the role and of its policy. */
export function operatorRoleName(meetingId: string, role: OperatorRole): string {
  return `proxyvote-${meetingId}-${role}`;
}

/** The execute-api resource of one route: path parameters become "*" (any value of one or more segments). */
export function routeResource(route: Pick<HttpRoute, 'method' | 'path'>): { method: string; path: string } {
  return { method: route.method === 'ANY' ? '*' : route.method, path: route.path.replace(/\{[^}]+\}/g, '*') };
}

export class OperatorRoles extends Construct {
  readonly roles = new Map<OperatorRole, Role>();
  readonly policies = new Map<OperatorRole, ManagedPolicy>();

  constructor(scope: Construct, id: string, props: OperatorRolesProps) {
    super(scope, id);
    for (const route of props.routes) {
      if (route.auth === 'iam' && !route.role)
        throw new Error(
          `${route.method} ${route.path}: an admin route must name its operator role in functions/routes.ts`,
        );
    }
    for (const role of OPERATOR_ROLES) {
      const name = operatorRoleName(props.meetingId, role);
      if (name.length > ROLE_NAME_LIMIT)
        throw new Error(
          `the role name ${name} is longer than IAM's ${ROLE_NAME_LIMIT} characters: shorten the meeting id`,
        );
      const routes = props.routes.filter((r) => r.auth === 'iam' && r.role === role);
      if (routes.length === 0)
        throw new Error(`no admin route is the ${role}'s: functions/routes.ts names none`);
      const resources = routes.map((r) => {
        const { method, path } = routeResource(r);
        // Any stage: the API has one, $default.
        return props.api.arnForExecuteApi(method, path, '*');
      });
      const policy = new ManagedPolicy(this, `${role}Policy`, {
        managedPolicyName: name,
        description:
          `proxyvote ${props.meetingId}: the ${role} ${ROLE_DUTIES[role]} (admin API routes ${routes
            .map((r) => `${r.method} ${r.path}`)
            .join(', ')})`.slice(0, 1000),
        statements: [new PolicyStatement({ actions: ['execute-api:Invoke'], resources })],
      });
      const iamRole = new Role(this, `${role}Role`, {
        roleName: name,
        description: `proxyvote ${props.meetingId}: the ${role}, who ${ROLE_DUTIES[role]}`.slice(0, 1000),
        assumedBy: new AccountRootPrincipal(),
        managedPolicies: [policy],
      });
      this.roles.set(role, iamRole);
      this.policies.set(role, policy);
      new CfnOutput(Stack.of(this), `${role[0]?.toUpperCase()}${role.slice(1)}RoleArn`, {
        value: iamRole.roleArn,
        description: `Assume this role to act as the ${role} (it ${ROLE_DUTIES[role]})`,
      });
    }
    acknowledgeWildcardResources(
      this,
      (resource) => resource.includes(':execute-api:'),
      'execute-api:Invoke on named admin routes only: the stage is "*" (the API has the one $default stage) and a ' +
        'path parameter ({run}, {part}) is "*" because IAM matches the request path, whose values are chosen per call.',
    );
  }
}
