// The meeting's HTTP API and its public face. API Gateway HTTP API: one `$default` stage, throttled as
// the deployment settings say, JSON access logs (no bodies, no headers); one route per entry of
// functions/routes.ts, with IAM authorization where the entry says `auth: 'iam'` (required under
// /admin/). AWS WAF cannot be associated with an HTTP API, so holders reach it through a CloudFront
// distribution that carries the WAF web ACL (infra/edge-stack.ts), caches nothing and forwards only what
// the public functions read: Content-Type, Accept-Language, the session cookie, the query string, and
// CloudFront-Viewer-Address, named explicitly (a CloudFront header is forwarded only when a policy lists it). Operators sign admin requests (SigV4, service execute-api) for the API's
// own endpoint, since a signature for the CloudFront host would not verify at API Gateway.
import { Aws, CfnOutput, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpRoute as ApiRoute,
  HttpApi,
  HttpMethod,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestCookieBehavior,
  OriginRequestHeaderBehavior,
  OriginRequestPolicy,
  OriginRequestQueryStringBehavior,
  PriceClass,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { SESSION_COOKIE } from '../shared/domain/link-token.ts';
import { ORIGIN_SECRET_HEADER, VIEWER_ADDRESS_HEADER } from '../shared/http/origin.ts';
import type { HttpRoute } from '../shared/http/route.ts';
import type { DeploySettings } from './deploy-settings.ts';

export interface PublicApiProps {
  meetingId: string;
  throttling: DeploySettings['throttling'];
  logRetention: RetentionDays;
  /** Where CloudFront writes its logs (the stateful stack's logs bucket). */
  logsBucket: IBucket;
  /** The CloudFront-scope WAF web ACL (us-east-1). */
  webAclArn: string;
  /** Sent by CloudFront to the API in the origin header the public functions require. */
  originSecret: ISecret;
  publicDomain?: NonNullable<DeploySettings['publicDomain']>;
}

/** True for the routes that must use IAM authorization. */
export function isAdminPath(path: string): boolean {
  return path === '/admin' || path.startsWith('/admin/');
}

function pascal(text: string): string {
  return text.replace(/(^|[^A-Za-z0-9])([A-Za-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

export class PublicApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly distribution: Distribution;
  /** `https://<public domain or the distribution's domain>`, without a trailing slash. */
  readonly publicUrl: string;
  private readonly iam = new HttpIamAuthorizer();

  constructor(scope: Construct, id: string, props: PublicApiProps) {
    super(scope, id);
    const { meetingId } = props;

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      logGroupName: `/proxyvote/${meetingId}/api-access`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new HttpApi(this, 'Api', {
      apiName: `proxyvote-${meetingId}`,
      description: `proxyvote ${meetingId}: ballot page, voting API, admin API (IAM)`,
      createDefaultStage: false,
    });
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttling.rateLimit, burstLimit: props.throttling.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            sourceIp: '$context.identity.sourceIp',
            caller: '$context.identity.userArn',
            method: '$context.httpMethod',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            responseLength: '$context.responseLength',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
    });

    const domain = props.publicDomain;
    // What reaches the functions from a viewer. CloudFront-Viewer-Address is one of CloudFront's own
    // headers: forwarded only when an origin request policy names it, so it is named here rather than
    // left to what a managed policy happens to include (the functions refuse a request without it).
    const forwarded = new OriginRequestPolicy(this, 'PublicOriginRequests', {
      comment: `proxyvote ${meetingId}: what the public functions read`,
      headerBehavior: OriginRequestHeaderBehavior.allowList(
        'Content-Type',
        'Accept-Language',
        VIEWER_ADDRESS_HEADER,
      ),
      cookieBehavior: OriginRequestCookieBehavior.allowList(SESSION_COOKIE),
      queryStringBehavior: OriginRequestQueryStringBehavior.all(),
    });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `proxyvote ${meetingId}`,
      defaultBehavior: {
        origin: new HttpOrigin(`${this.api.apiId}.execute-api.${Stack.of(this).region}.${Aws.URL_SUFFIX}`, {
          protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
          // Resolved by CloudFormation at deployment (a dynamic reference): never in the template.
          customHeaders: { [ORIGIN_SECRET_HEADER]: props.originSecret.secretValue.unsafeUnwrap() },
        }),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: forwarded,
      },
      webAclId: props.webAclArn,
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: props.logsBucket,
      logFilePrefix: `cloudfront/${meetingId}/`,
      ...(domain
        ? {
            domainNames: [domain.name],
            certificate: Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions::AwsSolutions-CFR1',
      reason: 'Shareholders vote from anywhere in the world: no country may be refused by geography.',
    });
    if (!domain) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions::AwsSolutions-CFR4',
        reason:
          'Without publicDomain in the deployment settings the distribution uses the default *.cloudfront.net ' +
          'certificate, for which CloudFront fixes the viewer TLS policy; set publicDomain to get TLSv1.2_2021.',
      });
    }
    this.publicUrl = `https://${domain?.name ?? this.distribution.distributionDomainName}`;

    new CfnOutput(scope, 'PublicUrl', {
      value: this.publicUrl,
      description: 'The voting site (through CloudFront and the WAF); the ballot page is /vote',
    });
    new CfnOutput(scope, 'AdminApiUrl', {
      value: this.api.apiEndpoint,
      description: 'The API itself: operators sign admin requests (SigV4, service execute-api) for this host',
    });
  }

  /** One API route to its function; IAM authorization when the route table says so. */
  addRoute(route: HttpRoute, fn: IFunction): ApiRoute {
    if (isAdminPath(route.path) && route.auth !== 'iam') {
      throw new Error(
        `${route.method} ${route.path}: admin routes must have auth: 'iam' in functions/routes.ts`,
      );
    }
    const id = `${pascal(route.method.toLowerCase())}${pascal(route.path.replace(/[{}+]/g, '')) || 'Root'}Route`;
    const apiRoute = new ApiRoute(this, id, {
      httpApi: this.api,
      routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
      integration: new HttpLambdaIntegration(`${id}Integration`, fn),
      ...(route.auth === 'iam' ? { authorizer: this.iam } : {}),
    });
    if (route.auth !== 'iam') {
      Validations.of(apiRoute).acknowledge({
        id: 'AwsSolutions::AwsSolutions-APIG4',
        reason:
          `${route.method} ${route.path} is public by design: holders have no AWS identity, the pages and the ` +
          'health check carry nothing secret, and the voting routes authenticate the holder by the control ' +
          'number in the request body (HMAC-checked, failures counted per address, WAF-rate-limited).',
      });
    }
    return apiRoute;
  }
}
