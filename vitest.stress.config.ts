// `npm run test:stress`: the reliability and hostile-input suite (issue 9), apart from `npm test`.
// The same global setup (one DynamoDB Local in memory, one SES endpoint); the crash test starts its own
// DynamoDB Local with a data directory. Files run one after another: each loads the machine on its own,
// and the figures they report (test-artifacts/stress-figures.jsonl) mean more without a neighbour.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/stress/**/*.stress.ts'],
    globalSetup: ['test/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 180_000,
  },
});
