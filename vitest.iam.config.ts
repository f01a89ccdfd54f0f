// The second half of `npm test`: once the suite has run (and recorded every AWS call each function
// made, in test-artifacts/aws-calls/), test/iam checks those calls against the synthesized policies.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/iam/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
