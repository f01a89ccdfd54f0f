// The meeting's bucket (created by the CDK stacks): register uploads come in under register/, print
// files and import reports go out under print-files/ and import-reports/. Objects are encrypted by
// the bucket's default encryption. Signed S3 REST calls (aws-sign.ts).
import { awsFetch, uriEncode } from './aws-sign.ts';
import type { PrintFileSink } from './ports.ts';

export interface ObjectStore {
  get(key: string): Promise<string>;
  put(key: string, body: string, contentType: string): Promise<string>;
}

export class S3ObjectStore implements ObjectStore {
  constructor(
    readonly bucket: string,
    private readonly region: string,
    private readonly endpoint = `https://${bucket}.s3.${region}.amazonaws.com`,
  ) {}

  private url(key: string): string {
    // Encoded exactly as the signature's canonical path is (RFC 3986), so S3 sees what was signed.
    return `${this.endpoint}/${key.split('/').map(uriEncode).join('/')}`;
  }

  async get(key: string): Promise<string> {
    const out = await awsFetch({
      method: 'GET',
      url: this.url(key),
      service: 's3',
      region: this.region,
      singleEncodePath: true,
    });
    if (out.status !== 200) throw new Error(`S3 GetObject answered ${out.status}`);
    return out.text;
  }

  async put(key: string, body: string, contentType: string): Promise<string> {
    const out = await awsFetch({
      method: 'PUT',
      url: this.url(key),
      service: 's3',
      region: this.region,
      singleEncodePath: true,
      headers: { 'content-type': contentType },
      body,
    });
    if (out.status !== 200) throw new Error(`S3 PutObject answered ${out.status}`);
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
}
