// Where the benchmark's build outputs go: under node_modules (ignored by git), so that bundles left
// with `@aws-sdk/*` external still resolve the SDK the way a Lambda runtime's node_modules would.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BUILD_DIR = join(ROOT, 'node_modules', '.cache', 'proxyvote-bench');
