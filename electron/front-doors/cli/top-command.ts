// `vethscope top [--interval S] [--samples N] [--json]`: containers by traffic.
// On a TTY it redraws in place (q or Ctrl-C quits); otherwise one table or JSON
// line per interval, N of them with --samples, until SIGINT without.
import { parseArgs } from 'node:util';
import type { RatesSample } from '../../../shared/rates';
import type { Backend } from '../../backend/backend';
import { CliExit, EXIT_USAGE, type CliIo } from './io';
import { jsonLine, renderTable } from './top-format';

export interface TopControl {
  /** Interactive terminal (redraw + keys); default: stdout and io are both TTYs. */
  interactive?: boolean;
  stdin?: NodeJS.ReadStream;
  signal?: AbortSignal;
}

const CLEAR = '\x1b[H\x1b[2J';

import { TOP_USAGE } from './usage';
export { TOP_USAGE };

export function parseTopArgs(rest: string[]) {
  const { values } = parseArgs({
    args: rest,
    options: { interval: { type: 'string' }, samples: { type: 'string' }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  const interval = values.interval === undefined ? 1 : Number(values.interval);
  if (!(interval >= 0.1 && interval <= 3600)) throw new CliExit(EXIT_USAGE, `top: --interval must be a number of seconds between 0.1 and 3600\n${TOP_USAGE}`);
  let samples: number | null = null;
  if (values.samples !== undefined) {
    samples = Number(values.samples);
    if (!Number.isInteger(samples) || samples < 1) throw new CliExit(EXIT_USAGE, `top: --samples must be a positive integer\n${TOP_USAGE}`);
  }
  return { interval, samples, json: Boolean(values.json) };
}

/** `args` from parseTopArgs; the backend was created with its interval (ratesIntervalSec). */
export async function topCommand(args: ReturnType<typeof parseTopArgs>, io: CliIo, backend: Backend, ctl: TopControl = {}): Promise<number> {
  const interactive = !args.json && (ctl.interactive ?? (io.isTTY && Boolean(process.stdout.isTTY)));
  const stdin = ctl.stdin ?? process.stdin;
  let count = 0;
  let warned = false;

  return new Promise<number>((resolve) => {
    const cleanups: Array<() => void> = [];
    const finish = (status: number) => {
      cleanups.splice(0).forEach((fn) => fn());
      resolve(status);
    };
    const show = (sample: RatesSample) => {
      count++;
      if (!warned) {
        warned = true;
        void backend.call('getStatus', {}).then((st) => {
          if (st.ok && !st.result.docker.available) io.err(`top: Docker is unavailable (${st.result.docker.error?.message ?? 'unknown'}): only other engines' containers are shown`);
        });
      }
      if (args.json) io.out(jsonLine(sample));
      else if (interactive) {
        io.raw?.(CLEAR, 'out');
        io.out(renderTable(sample, Math.max(5, (process.stdout.rows ?? 40) - 3)) + '\n(q to quit)');
      }
      else io.out(renderTable(sample) + '\n');
      if (args.samples !== null && count >= args.samples) finish(0);
    };
    cleanups.push(backend.on('rates', show));

    // Without any sample for a while, say why instead of waiting forever.
    const watchdogMs = Math.max(10_000, args.interval * 5000);
    const watchdog = setInterval(() => {
      if (count > 0) return clearInterval(watchdog);
      void backend.call('getRatesStatus', {}).then((st) => {
        if (count > 0) return;
        io.err(`top: no rates after ${watchdogMs / 1000}s: ${(st.ok && st.result.errors.join('; ')) || 'sampler produced nothing'}`);
        finish(1);
      });
    }, watchdogMs);
    cleanups.push(() => clearInterval(watchdog));

    const onSigint = () => finish(0);
    process.once('SIGINT', onSigint);
    cleanups.push(() => process.off('SIGINT', onSigint));
    if (ctl.signal) {
      const onAbort = () => finish(0);
      ctl.signal.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => ctl.signal!.removeEventListener('abort', onAbort));
    }
    if (interactive && stdin.isTTY) {
      // Raw mode: q and Ctrl-C arrive as keys, not as a signal.
      stdin.setRawMode(true);
      stdin.resume();
      const onKey = (buf: Buffer) => {
        const k = buf.toString('utf8');
        if (k === 'q' || k === 'Q' || k === '\u0003') finish(0);
      };
      stdin.on('data', onKey);
      cleanups.push(() => {
        stdin.off('data', onKey);
        stdin.setRawMode(false);
        stdin.pause();
      });
    }
  });
}
