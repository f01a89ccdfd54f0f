// The meeting's bucket (created by the CDK stacks; s3rver locally): register uploads come in under
// register/, print files and import reports go out under print-files/ and import-reports/. Objects
// are encrypted by the bucket's default encryption. The S3 client comes from the one client factory.
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type AwsEndpointConfig, createAwsClient, LOCAL_S3_CREDENTIALS } from '../aws/clients.ts';
import type { PrintFileSink } from './ports.ts';
import { partBody } from './print-sink.ts';

/** Parts (1,000 holders each, about 2.5 MB of paper notices) joined into one object at most. */
export const MAX_JOINED_PARTS = 20;

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

/**
 * A print file as objects: the import writes one part per chunk of the register (`part-000012.csv`,
 * each a whole CSV) under a folder fixed by the job, so a resumed import writes a chunk's part again
 * at the same key. Up to MAX_JOINED_PARTS parts are joined into one object, print-file.csv, at the
 * end; more stay as they are (a 1,000,000-holder register makes a file too large to join in a
 * function), and the folder of parts is the print file.
 */
export class ObjectPrintSink implements PrintFileSink {
  constructor(
    private readonly store: ObjectStore,
    /** Ends with '/': the folder of this print file. */
    private readonly folder: string,
  ) {}

  async prepare(): Promise<void> {}

  write(csv: string): Promise<string> {
    return this.store.put(`${this.folder}print-file.csv`, csv, 'text/csv; charset=utf-8');
  }

  writePart(chunk: number, csv: string): Promise<string> {
    return this.store.put(
      `${this.folder}part-${String(chunk).padStart(6, '0')}.csv`,
      csv,
      'text/csv; charset=utf-8',
    );
  }

  async finish(parts: readonly string[]): Promise<string | null> {
    const [first] = parts;
    if (first === undefined) return null;
    if (parts.length === 1) return first;
    if (parts.length > MAX_JOINED_PARTS) return first.slice(0, first.lastIndexOf('/') + 1);
    const keyOf = (address: string) => address.slice(address.indexOf(this.folder));
    const texts = await Promise.all(parts.map((p) => this.store.get(keyOf(p))));
    return this.write(texts.map(partBody).join(''));
  }

  writeCompanion(name: string, html: string): Promise<string> {
    return this.store.put(`${this.folder}print-file.${name}.html`, html, 'text/html; charset=utf-8');
  }
}
