// The operators of a test stack: one local key pair per role (as `npm start` makes them), a credentials
// file with a profile per key for the CLI's default credential chain, and admin clients that sign with
// a given key through the CLI's own signing client.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject, vi } from 'vitest';
import { type AdminClient, adminClient } from '../../cli/admin-client.ts';
import { routes } from '../../functions/routes.ts';
import { OPERATOR_ROLES, type OperatorRole } from '../../shared/http/operators.ts';
import { type HttpAdapter, startHttpAdapter } from '../../shared/local/http-adapter.ts';
import { createLocalKey, credentialsFile, type LocalKey } from '../../shared/local/sigv4-verify.ts';
import type { TableNames } from '../../shared/storage/tables.ts';
import { setHandlerEnv } from './local-env.ts';

export interface Operators {
  /** One key per role, named local-<role>. */
  keys: Record<OperatorRole, LocalKey>;
  /** Every key the adapter accepts (the three above). */
  all: LocalKey[];
  /** The shared credentials file: profile test-<role> for each role. */
  credentialsFile: string;
  /** An admin client of `api` signing with the role's key (or any key given). */
  client(api: string, who: OperatorRole | LocalKey): AdminClient;
  /** A signed request as a fetch Response (the path may carry a query string). */
  fetch(
    api: string,
    who: OperatorRole | LocalKey,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<Response>;
  /** Runs `fn` (an in-process CLI call) with AWS_PROFILE set to the role's profile, then restores the environment. */
  asProfile<T>(role: OperatorRole, api: string, fn: () => Promise<T>): Promise<T>;
}

export function localOperators(): Operators {
  const keys = Object.fromEntries(OPERATOR_ROLES.map((role) => [role, createLocalKey(role)])) as Record<
    OperatorRole,
    LocalKey
  >;
  const dir = mkdtempSync(join(tmpdir(), 'proxyvote-operators-'));
  // Test keys, but keys: gone with the test process.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'credentials');
  writeFileSync(
    file,
    credentialsFile(OPERATOR_ROLES.map((role) => ({ profile: `test-${role}`, key: keys[role] }))),
    { mode: 0o600 },
  );
  return {
    keys,
    all: Object.values(keys),
    credentialsFile: file,
    client: (api, who) => {
      const key = typeof who === 'string' ? keys[who] : who;
      return adminClient({ api }, { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey });
    },
    async fetch(api, who, method, path, body) {
      const client = this.client(api, who);
      const res = await client.request(method, path, body === undefined ? {} : { body });
      return new Response(res.text, { status: res.status, headers: res.headers });
    },
    async asProfile(role, api, fn) {
      const names = ['AWS_PROFILE', 'AWS_SHARED_CREDENTIALS_FILE', 'PROXYVOTE_API'] as const;
      const saved = names.map((n) => process.env[n]);
      Object.assign(process.env, {
        AWS_PROFILE: `test-${role}`,
        AWS_SHARED_CREDENTIALS_FILE: file,
        PROXYVOTE_API: api,
      });
      try {
        return await fn();
      } finally {
        names.forEach((n, i) => {
          const v = saved[i];
          if (v === undefined) delete process.env[n];
          else process.env[n] = v;
        });
      }
    },
  };
}

export interface AdminApi {
  api: HttpAdapter;
  operators: Operators;
  /** The CLI's connection flag. */
  flags: string[];
  /** Runs an in-process CLI call as the role (its profile in the credentials file). */
  as<T>(role: OperatorRole, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * The HTTP API over a fixture's tables (handler environment set, the route table served with one key
 * per role), for tests that drive the CLI's admin commands. The handlers read their environment when
 * first imported: the module registry is reset first, so that a second stack in one test file gets
 * handlers bound to its own tables.
 */
export async function startAdminApi(fx: {
  names: TableNames;
  secretHex: string;
  clock: { now: number };
}): Promise<AdminApi> {
  vi.resetModules();
  setHandlerEnv(fx.names);
  Object.assign(process.env, {
    MEETING_JSON: readFileSync(new URL('../../meetings/hemacare-2002.json', import.meta.url), 'utf8'),
    CONTROL_SECRET: fx.secretHex,
    MAIL_FROM: 'Proxy Services <proxy@example.com>',
    SES_ENDPOINT: inject('sesEndpoint'),
    CLOCK_OFFSET_MS: String(fx.clock.now - Date.now()),
  });
  const operators = localOperators();
  const api = await startHttpAdapter({ routes, port: 0, adminKeys: operators.all });
  return {
    api,
    operators,
    flags: ['--api', api.url],
    as: (role, fn) => operators.asProfile(role, api.url, fn),
    close: () => api.close(),
  };
}
