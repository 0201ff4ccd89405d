// Worker-scoped `vethscope serve` processes for the specs that need the real thing: one over the
// private dockerd, one whose DOCKER_HOST points at a missing socket (Docker-unreachable state).
// Started on first use, stopped when the worker ends.
import { test as base } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DOCKER_HOST } from '../support/env';
import { startServe, type Served } from './servers';

type WorkerFixture = [(deps: object, use: (s: Served) => Promise<void>) => Promise<void>, { scope: 'worker'; timeout: number }];

function serveFixture(dockerHost: string): WorkerFixture {
  return [
    // Playwright reads the fixture's dependencies from this destructuring pattern: it must stay `{}`.
    async ({}, use) => {
      if (process.env.VSU_E2E_SKIP) return use(undefined as never); // every test skips itself first
      const capturesDir = mkdtempSync(path.join(os.tmpdir(), 'vsu-e2e-captures-'));
      const served = await startServe({ ...process.env, DOCKER_HOST: dockerHost }, capturesDir);
      try {
        await use(served);
      } finally {
        await served.stop();
        rmSync(capturesDir, { recursive: true, force: true });
      }
    },
    { scope: 'worker', timeout: 60_000 },
  ];
}

export const test = base.extend<object, { served: Served; servedDockerDown: Served }>({
  served: serveFixture(DOCKER_HOST),
  servedDockerDown: serveFixture('unix:///tmp/vsu-e2e-no-such-docker.sock'),
});
export { expect } from '@playwright/test';
