// The operators of a test stack: one local key pair per role (as `npm start` makes them), a credentials
// file with a profile per key for the CLI's default credential chain, and admin clients that sign with
// a given key through the CLI's own signing client.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AdminClient, adminClient } from '../../cli/admin-client.ts';
import { OPERATOR_ROLES, type OperatorRole } from '../../shared/http/operators.ts';
import { createLocalKey, credentialsFile, type LocalKey } from '../../shared/local/sigv4-verify.ts';

export interface Operators {
  /** One key per role, named local-<role>. */
  keys: Record<OperatorRole, LocalKey>;
  /** Every key the adapter accepts (the three above). */
  all: LocalKey[];
  /** The shared credentials file: profile test-<role> for each role. */
  credentialsFile: string;
  /** An admin client of `api` signing with the role's key (or any key given). */
  client(api: string, who: OperatorRole | LocalKey): AdminClient;
  /** Runs `fn` (an in-process CLI call) with AWS_PROFILE set to the role's profile, then restores the environment. */
  asProfile<T>(role: OperatorRole, api: string, fn: () => Promise<T>): Promise<T>;
}

export function localOperators(): Operators {
  const keys = Object.fromEntries(OPERATOR_ROLES.map((role) => [role, createLocalKey(role)])) as Record<
    OperatorRole,
    LocalKey
  >;
  const file = join(mkdtempSync(join(tmpdir(), 'proxyvote-operators-')), 'credentials');
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
