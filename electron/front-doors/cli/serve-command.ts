// `vethscope serve`: browser mode. The same Backend as the app, behind the loopback
// server; prints a single-use link (Enter on its terminal prints another); runs until
// SIGINT/SIGTERM, then shuts down cleanly.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createBackend, type BackendOptions } from '../../backend/create-backend';
import type { Backend } from '../../backend/backend';
import { createServer } from '../browser/server';
import { isLoopbackAddress } from '../browser/security';
import { EXIT_USAGE, type CliIo } from './io';
import { distPath } from '../../util/package-root';
import { TICKET_TTL_MS } from '../../../shared/browser-protocol';

import { SERVE_USAGE } from './usage';
export { SERVE_USAGE };

export interface ServeDeps {
  createBackend?: (opts: BackendOptions) => Backend;
  /** Resolves when the server should stop; SIGINT/SIGTERM by default. */
  stopSignal?: () => Promise<string>;
  staticDir?: string;
  /** Calls onEnter for each Enter on the terminal; returns how to stop, or null without a terminal. */
  enterPresses?: (onEnter: () => void) => (() => void) | null;
}

export async function serveCommand(args: string[], io: CliIo, deps: ServeDeps = {}): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '0' },
        'captures-dir': { type: 'string' },
        'allow-remote': { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    io.err(`vethscope serve: ${(err as Error).message}\n${SERVE_USAGE}`);
    return EXIT_USAGE;
  }
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535) {
    io.err(`vethscope serve: --port must be 0..65535 (0 picks a free port), not "${values.port}"\n${SERVE_USAGE}`);
    return EXIT_USAGE;
  }
  const host = values.host;
  if (!isLoopbackAddress(host)) {
    if (!values['allow-remote']) {
      io.err(
        `vethscope serve: refusing --host ${host}: it is not a loopback address.\n` +
          'Browser mode speaks plain HTTP and drives a privileged capture helper; anyone who sees its traffic on the\n' +
          'network can capture traffic. Use an SSH tunnel (ssh -L) to a loopback port, or pass --allow-remote if you accept that.',
      );
      return EXIT_USAGE;
    }
    io.err(`vethscope serve: WARNING: listening on ${host} over plain HTTP (--allow-remote): links and sessions cross the network unencrypted`);
  }

  // Listen for signals before anything is printed: whoever reads the URL may signal us at once
  // (on a busy machine the reader can run before this process resumes after its write).
  const stopped = (deps.stopSignal ?? waitForSignal)();
  const backend = (deps.createBackend ?? createBackend)({ capturesDir: values['captures-dir'] });
  const staticDir = deps.staticDir ?? findRendererDir();
  let server;
  try {
    server = await createServer({
      backend,
      host,
      port,
      staticDir,
      // Said on the terminal: a link the user did not open being used is worth noticing.
      onTicketUsed: () => io.err(`vethscope serve: a browser tab opened a session with a link (${new Date().toLocaleTimeString()})`),
    });
  } catch (err) {
    await backend.close();
    const e = err as NodeJS.ErrnoException;
    io.err(`vethscope serve: cannot listen on ${host}:${port}: ${e.code ?? ''} ${e.message}`.trim());
    return e.code === 'EADDRINUSE' || e.code === 'EACCES' ? 69 : 1;
  }
  io.out(server.url);
  if (!existsSync(path.join(staticDir, 'index.html'))) {
    io.err(`vethscope serve: the renderer is not built (${staticDir}/index.html is missing): the API works, the page will not. Run npm run build.`);
  }
  const running = server;
  const stopListening = (deps.enterPresses ?? ((onEnter) => listenForEnter(process.stdin, onEnter)))(() => io.out(running.newTicketUrl()));
  const minutes = TICKET_TTL_MS / 60_000;
  io.err(
    `vethscope serve: open the link above in a browser: it works once, within ${minutes} minutes, for one tab; ` +
      `${stopListening ? 'press Enter here for a new one' : 'restart vethscope serve for a new one'}. Ctrl+C stops.`,
  );

  const signal = await stopped;
  stopListening?.();
  io.err(`vethscope serve: ${signal}: shutting down`);
  await server.close();
  await backend.close();
  return 0;
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    // The listeners stay for the process's life: a second signal during shutdown forces the exit.
    let first = true;
    const on = (sig: NodeJS.Signals) => {
      if (first) {
        first = false;
        resolve(sig);
      } else {
        process.stderr.write(`vethscope serve: ${sig} again: exiting without a clean shutdown\n`);
        process.exit(130);
      }
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** One call per line typed on a terminal (Enter); null, without reading anything, when `input` is not a TTY. */
export function listenForEnter(input: NodeJS.ReadableStream & { isTTY?: boolean }, onEnter: () => void): (() => void) | null {
  if (!input.isTTY) return null;
  const lines = createInterface({ input, terminal: false });
  lines.on('line', onEnter);
  return () => {
    lines.close();
    // readline resumed the stream: pause it so it no longer holds the process open.
    input.pause();
  };
}

/** dist/renderer of this checkout or install. */
export function findRendererDir(): string {
  return distPath('renderer');
}
