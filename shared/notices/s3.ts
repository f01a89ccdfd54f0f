// The meeting's bucket (created by the CDK stacks; s3rver locally): register uploads come in under
// register/, print files and import reports go out under print-files/ and import-reports/. Objects
// are encrypted by the bucket's default encryption. The S3 client comes from the one client factory.
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type AwsEndpointConfig, createAwsClient, LOCAL_S3_CREDENTIALS } from '../aws/clients.ts';
import type { PrintFileSink } from './ports.ts';

export interface ObjectStore {
  get(key: string): Promise<string>;
  put(key: string, body: string, contentType: string): Promise<string>;
}

/** An S3 client: the regional endpoint on AWS, or a local S3-compatible one (path-style addresses). */
export function s3Client(config: Pick<AwsEndpointConfig, 'endpoint' | 'region'> = {}): S3Client {
  return createAwsClient(
    S3Client,
    { ...config, localCredentials: LOCAL_S3_CREDENTIALS },
    config.endpoint ? { forcePathStyle: true } : {},
  );
}

export class S3ObjectStore implements ObjectStore {
  constructor(
    readonly bucket: string,
    private readonly client: S3Client,
  ) {}

  async get(key: string): Promise<string> {
    const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!out.Body) throw new Error(`S3 GetObject of ${key} returned no body`);
    return out.Body.transformToString('utf-8');
  }

  async put(key: string, body: string, contentType: string): Promise<string> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
    return `s3://${this.bucket}/${key}`;
  }
}

/** A print file as an object: the key is chosen by the caller and never reused. */
export class ObjectPrintSink implements PrintFileSink {
  constructor(
    private readonly store: ObjectStore,
    private readonly key: string,
  ) {}

  async prepare(): Promise<void> {}

  write(csv: string): Promise<string> {
    return this.store.put(this.key, csv, 'text/csv; charset=utf-8');
  }

  writeCompanion(name: string, html: string): Promise<string> {
    return this.store.put(this.key.replace(/(\.csv)?$/i, `.${name}.html`), html, 'text/html; charset=utf-8');
  }
}
