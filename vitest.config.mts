import { defineConfig } from 'vitest/config';

// unit: pure code, fakes allowed: no root, no namespaces, no live capture, no real sleeps
//   (fake timers); tshark reading a file is fine. Folders mirror the source (backend/, kernel/,
//   formats/, front-doors/...).
// integration: real dockerd (private, started by globalSetup), real namespaces, real tcpdump/tshark.
// Benchmarks are not tests: `npm run bench:*` (test/bench/) measures, tests assert behaviour.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          exclude: ['test/unit/renderer/**', '**/node_modules/**'],
          environment: 'node',
        },
      },
      {
        // renderer: the renderer's pure logic (graph model, layout, API client, feeds); no DOM needed.
        test: {
          name: 'renderer',
          include: ['test/unit/renderer/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/global-setup.ts'],
          // One private daemon and one bridge are shared: run files one at a time.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
