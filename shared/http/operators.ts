// Who may act on the admin API, and who did. Three roles, each allowed only its routes (the route
// table, functions/routes.ts, names the role of every admin route): on AWS three IAM roles that may
// invoke only those routes (infra/operator-roles.ts), locally one key pair per role (the local HTTP
// adapter checks the signature and the role). Either way API Gateway's IAM authorizer context (the
// local adapter fills the same fields) names the signing principal, and that is the operator recorded.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpError } from './json.ts';

export const OPERATOR_ROLES = ['clerk', 'inspector', 'supervisor'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

/** What each role does, in the words of the meeting (also the IAM roles' descriptions). */
export const ROLE_DUTIES: Readonly<Record<OperatorRole, string>> = {
  clerk: 'enters paper proxies, written revocations and ballots cast at the meeting',
  inspector: 'resolves conflicts, runs the counts and the final count, reads the reports and the export',
  supervisor: 'starts the sending of the notices and closes the polls',
};

/** The `iam` part of API Gateway's IAM authorizer context (HTTP API, payload format 2.0). */
export interface IamCaller {
  accessKey: string;
  accountId: string;
  callerId: string;
  cognitoIdentity: null;
  principalOrgId: string | null;
  userArn: string;
  userId: string;
}

/**
 * The operator of an admin request: the ARN of the IAM principal that signed it (a user, or a role
 * session such as arn:aws:sts::111122223333:assumed-role/proxyvote-m-clerk/alice). API Gateway (or the
 * local adapter) has checked the signature before the handler runs; a request without the context
 * never reached an admin route through them, and is refused.
 */
export function operatorOf(event: APIGatewayProxyEventV2): string {
  const iam = (event.requestContext as { authorizer?: { iam?: Partial<IamCaller> } }).authorizer?.iam;
  const arn = iam?.userArn;
  if (typeof arn !== 'string' || arn === '') {
    throw new HttpError(
      401,
      'unauthorized',
      'The request is not signed by an operator: sign it with AWS Signature Version 4 (proxyvote does).',
    );
  }
  if (arn.length > MAX_OPERATOR) {
    throw new HttpError(
      403,
      'operator_name_too_long',
      `The signing principal's ARN is longer than ${MAX_OPERATOR} characters, too long to record as the operator: sign in through one of the operator roles (a role session ARN is shorter).`,
    );
  }
  return arn;
}

/** The longest operator name an instruction records (enteredBy). */
const MAX_OPERATOR = 200;
