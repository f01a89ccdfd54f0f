// The SES emulator (`aws-ses-v2-local`) run in this process on 127.0.0.1. GET / is its mail viewer,
// GET /store the sent mail as JSON. Send with SendEmail / SendRawEmail (templated sends hang there).
import type { Server } from 'node:http';
import sesModule from 'aws-ses-v2-local';
import { LOCAL_HOST } from './ports.ts';

export interface SesLocal {
  /** Base URL, also the SES endpoint for @aws-sdk/client-ses. */
  endpoint: string;
  /** The page that lists the mail "sent" so far. */
  viewerUrl: string;
  port: number;
  stop(): Promise<void>;
}

type ServerFactory = (config?: Partial<{ host: string; port: number }>) => Promise<Server>;

// A CommonJS module compiled from `export default`: depending on the loader the default import is
// either the function or the module object holding it.
function factory(): ServerFactory {
  const mod = sesModule as unknown as ServerFactory | { default: ServerFactory };
  return typeof mod === 'function' ? mod : mod.default;
}

export async function startSesLocal(options: { port: number }): Promise<SesLocal> {
  const server = await factory()({ host: LOCAL_HOST, port: options.port });
  // The emulator resolves even when listen() failed: check that it really listens.
  if (!server.listening) {
    server.close();
    throw new Error(`the SES emulator could not listen on ${LOCAL_HOST}:${options.port}`);
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const endpoint = `http://${LOCAL_HOST}:${port}`;
  return {
    endpoint,
    viewerUrl: `${endpoint}/`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
