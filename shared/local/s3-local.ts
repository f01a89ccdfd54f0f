// A local S3-compatible endpoint: the `s3rver` package, run in this process on 127.0.0.1, keeping
// its objects in a directory. The project's S3 client signs its requests (SigV4) as on AWS; s3rver
// reads the Authorization header and refuses any access key but its own (LOCAL_S3_CREDENTIALS),
// though it does not verify V4 signatures themselves.
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { LOCAL_HOST } from './ports.ts';

export interface S3Local {
  /** http://127.0.0.1:PORT: the endpoint for @aws-sdk/client-s3 (path-style). */
  endpoint: string;
  port: number;
  /** Where the objects are kept (s3rver's own layout). */
  directory: string;
  stop(): Promise<void>;
}

export interface S3LocalOptions {
  port: number;
  directory: string;
  /** Buckets created at start when missing. */
  buckets?: readonly string[];
}

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
  httpServer?: Server;
}

export async function startS3Local(options: S3LocalOptions): Promise<S3Local> {
  mkdirSync(options.directory, { recursive: true, mode: 0o700 });
  // A CommonJS package without type declarations.
  const Server = createRequire(import.meta.url)('s3rver') as new (
    o: Record<string, unknown>,
  ) => S3rverInstance;
  const server = new Server({
    address: LOCAL_HOST,
    port: options.port,
    directory: options.directory,
    silent: true,
    // Path-style requests only (http://127.0.0.1:PORT/bucket/key), as the project's client sends them.
    vhostBuckets: false,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  });
  const address = await server.run();
  const endpoint = `http://${LOCAL_HOST}:${address.port}`;
  return {
    endpoint,
    port: address.port,
    directory: options.directory,
    stop: async () => {
      server.httpServer?.closeAllConnections();
      await server.close();
    },
  };
}
