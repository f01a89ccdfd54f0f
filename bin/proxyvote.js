#!/usr/bin/env node
// The `proxyvote` command: runs the TypeScript CLI through tsx, so no build step is needed.
import { register } from 'tsx/esm/api';

// The AWS SDK's multi-line Node version notice on every command is noise for an operator.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ||= 'true';
register();
const { main } = await import('../cli/proxyvote.ts');
process.exitCode = await main(process.argv.slice(2));
