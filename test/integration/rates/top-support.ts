// Run `vethscope top --json` in-process (same code path as the binary) and
// collect its lines; small docker helpers for bounded traffic between our own containers.
import { spawn } from 'node:child_process';
import { runCli } from '../../../electron/front-doors/cli/main';
import { docker, testEnv } from '../../support/env';

export interface TopLine {
  time: number;
  containers: Array<{ name: string; id: string; rxBytesPerSec: number; txBytesPerSec: number; rxPacketsPerSec: number; txPacketsPerSec: number }>;
}

export function runTop(args: string[], onLine: (line: TopLine, index: number) => void = () => undefined): { done: Promise<{ status: number; lines: TopLine[]; stderr: string }> } {
  const lines: TopLine[] = [];
  let stderr = '';
  const io = {
    isTTY: false,
    out: (t: string) => {
      for (const l of t.split('\n').filter(Boolean)) {
        const parsed = JSON.parse(l) as TopLine;
        lines.push(parsed);
        onLine(parsed, lines.length - 1);
      }
    },
    err: (t: string) => {
      stderr += t;
    },
  };
  return { done: runCli(['top', '--json', ...args], io).then((status) => ({ status, lines, stderr })) };
}

export const counter = (name: string, which: 'tx_bytes' | 'rx_bytes') => Number(docker('exec', name, 'cat', `/sys/class/net/eth0/statistics/${which}`));

/** docker exec without blocking the event loop (the sampler keeps ticking meanwhile). */
export function execAsync(args: string[], timeoutMs = 30_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('docker', ['exec', ...args], { env: testEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}
