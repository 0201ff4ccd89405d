// `npm run test:hardening`: hostile input, served-UI gatekeeping, faults during capture,
// load, Electron settings. Its own config (not a project of the shared one) so it can
// run on its own private dockerd and print one summary table at the end.
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

const root = resolve(__dirname, '../..');
export default defineConfig({
  root,
  test: {
    include: ['test/hardening/**/*.test.ts'],
    environment: 'node',
    globalSetup: [resolve(__dirname, 'global-setup.ts')],
    // One private daemon and shared /proc accounting: one file at a time.
    fileParallelism: false,
    sequence: { shuffle: false },
    testTimeout: 240_000,
    hookTimeout: 180_000,
    env: {
      VETHSCOPE_TEST_ROOT: '/tmp/vethscope-hard',
      VETHSCOPE_TEST_BRIDGE: 'vshbr0',
      VETHSCOPE_TEST_CIDR: '10.214.0.1/24',
      DOCKER_HOST: 'unix:///tmp/vethscope-hard/docker.sock',
    },
    reporters: ['default', resolve(__dirname, 'summary-reporter.ts')],
  },
});
