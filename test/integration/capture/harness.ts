// Shared by the capture suites: a real Backend (real helper, real tcpdump) on the
// private daemon, tshark as the judge, and bounded traffic between our own containers.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaptureInfo } from '../../../shared/capture';
import { createServices, type Services } from '../../../electron/backend/create-backend';
import { dockerTry, testEnv } from '../../support/env';
import { waitFor } from '../../support/poll';

export interface Harness {
  services: Services;
  dir: string;
  close(): Promise<void>;
}

export function makeHarness(prefix: string): Harness {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const services = createServices({ env: testEnv(), capturesDir: dir });
  return {
    services,
    dir,
    close: async () => {
      await services.backend.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { ipOf } from '../../support/env';

/** Bounded: count and interval fixed, only between our own containers. */
export function ping(from: string, toIp: string, count = 10, interval = '0.05'): void {
  dockerTry('exec', from, 'ping', '-c', String(count), '-i', interval, '-W', '1', toIp);
}

export function pingAsync(from: string, toIp: string, count = 10, interval = '0.05'): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn('docker', ['exec', from, 'ping', '-c', String(count), '-i', interval, '-W', '1', toIp], { env: testEnv(), stdio: 'ignore' });
    child.on('exit', () => resolve());
  });
}

export { tsharkFrames, type Frame } from '../../support/tshark';

export async function waitEnded(h: Harness, id: string, timeoutMs = 15_000): Promise<CaptureInfo> {
  return waitFor(
    `capture ${id} to end`,
    async () => {
      const r = await h.services.backend.call('listCaptures', {});
      const c = r.ok ? r.result.find((x) => x.id === id) : undefined;
      return c && (c.state === 'stopped' || c.state === 'failed') ? c : null;
    },
    timeoutMs,
    100,
  );
}

/** tcpdump processes whose argv names `iface` (other suites may run their own tcpdumps). */
export function tcpdumpsOn(iface: string): number[] {
  const pids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (argv[0]?.endsWith('tcpdump') && argv.includes(iface)) pids.push(Number(d));
    } catch {
      /* exited */
    }
  }
  return pids;
}

/** Run a command to its end without blocking the event loop (traffic runs meanwhile); collect its output. */
export function runToEnd(argv: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((res) => {
    const child = spawn(argv[0]!, argv.slice(1), opts);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', (code) => res({ code, out, err }));
  });
}

export { processesWith, waitFor } from '../../support/poll';
