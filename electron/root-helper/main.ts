// vethscope's privileged helper (our dumpcap): the only process that runs as
// root. JSON lines on stdin/stdout (shared/helper-protocol.ts), stderr for
// diagnostics. It lives exactly as long as its client: stdin ending (the
// client exited, even by SIGKILL) ends every capture cleanly and exits.
import { HELPER_MAX_LINE, type HelperEvent, type HelperEventData } from '../../shared/helper-protocol';
import { dispatch, type Handlers } from './dispatch';
import { resolveInvoker } from './identity';
import { LineSplitter } from '../formats/line-splitter';
import { HelperOps } from './ops';
import { stopCompilations } from './capture/filter-compile';
import { enforceHelperTrust } from './trust';
import { useOneShotParsing } from '../../shared/one-shot-parsing';

// First of all, before stdin is read: refuse to run elevated from a file others could change.
enforceHelperTrust();
// Each request is parsed once: zod's compiled parsers would cost more than they save (and this root
// process then runs no code zod generates).
useOneShotParsing();
const invoker = resolveInvoker(process.env, process.argv.slice(2));
let closing = false;
const inflight = new Set<Promise<void>>();

function send(obj: unknown): void {
  if (closing && !process.stdout.writable) return;
  try {
    process.stdout.write(JSON.stringify(obj) + '\n');
  } catch {
    /* client gone: stdin's end will shut us down */
  }
}

const emit = <E extends HelperEvent>(event: E, data: HelperEventData<E>) => send({ event, data });
const ops = new HelperOps(invoker, emit);

async function shutdown(code: number): Promise<void> {
  if (closing) return;
  closing = true;
  // Never outlive the 2 s promise: tcpdumps get SIGINT (dumpcap 0.4 s later, to drain), then SIGKILL
  // 1.5 s after that; compilations are killed at once; nothing else here blocks.
  const hard = setTimeout(() => process.exit(code), 1900);
  try {
    stopCompilations(); // a compilation would only delay the exit; its request gets an error
    await ops.endAll();
    await Promise.all(inflight); // answer what was asked before stdin closed
  } finally {
    clearTimeout(hard);
    process.exit(code);
  }
}

const handlers: Handlers = {
  hello: () => ops.hello(),
  scanNamespaces: () => ops.scanNamespaces(),
  listContainers: (p) => ops.listContainers(p),
  listHostContainers: (p) => ops.listHostContainers(p),
  readCounters: (p) => ops.readCounters(p),
  startCapture: (p) => ops.startCapture(p),
  attachInterface: (p) => ops.attachInterface(p),
  stopCapture: (p) => ops.stopCapture(p),
  shutdown: () => {
    setImmediate(() => void shutdown(0)); // after the reply went out
    return { bye: true as const };
  },
};

const splitter = new LineSplitter(HELPER_MAX_LINE);
process.stdin.on('data', (chunk: Buffer) => {
  for (const ev of splitter.push(chunk)) {
    if ('tooLong' in ev) {
      send({ id: null, ok: false, error: { code: 'INVALID_INPUT', message: `request line of ${ev.tooLong} bytes exceeds ${HELPER_MAX_LINE}` } });
      continue;
    }
    if (!ev.line.trim()) continue;
    const job = dispatch(ev.line, handlers).then(send);
    inflight.add(job);
    void job.finally(() => inflight.delete(job));
  }
});
process.stdin.on('end', () => void shutdown(0));
process.stdin.on('error', () => void shutdown(0));
process.stdout.on('error', () => void shutdown(0));
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => void shutdown(0));
// A bug in one request must not take every capture down with it.
process.on('uncaughtException', (e) => process.stderr.write(`vethscope-helper: ${e.stack ?? e}\n`));
process.on('unhandledRejection', (e) => process.stderr.write(`vethscope-helper: ${String(e)}\n`));
process.umask(0o022);
