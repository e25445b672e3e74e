import { defineConfig } from 'vitest/config';

// Tests run on the TypeScript sources: the `@vle/source` export condition maps every @vle/* package
// to its src/ (the same condition tsconfig.base.json uses), so no build is needed for unit tests.
export default defineConfig({
  resolve: { conditions: ['@vle/source'] },
  ssr: { resolve: { conditions: ['@vle/source'] } },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['{libs,services,apps,clients}/*/src/**/*.unit.spec.ts', 'bench/src/**/*.unit.spec.ts', 'scripts/**/*.unit.spec.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'int',
          include: ['{libs,services,apps,clients}/*/src/**/*.int.spec.ts', 'scripts/**/*.int.spec.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['{services,apps,clients}/*/test/**/*.e2e.spec.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          // Whole processes per test: run files one at a time on a 2-core machine.
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          // The admin UI in a real Chromium (playwright-core) against the whole system as processes
          // (apps/web/test/harness.ts; scripts/browser.js makes sure the browser exists).
          name: 'browser',
          include: ['apps/*/test/**/*.browser.spec.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
