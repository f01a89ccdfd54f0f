// Port helpers for the local stack and the tests. Everything binds 127.0.0.1 only.
import { createServer } from 'node:net';

export const LOCAL_HOST = '127.0.0.1';

/** True when nothing listens on 127.0.0.1:port (nor on every interface, which also blocks it). */
export function isPortFree(port: number, host = LOCAL_HOST): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/** A port the OS says is free right now (bind to port 0 and release it). */
export function findFreePort(host = LOCAL_HOST): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not find a free port'))));
    });
  });
}

/** Several distinct free ports. */
export async function findFreePorts(count: number, host = LOCAL_HOST): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await findFreePort(host));
  return [...ports];
}
