// `vethscope` command line: one front door onto the same Backend as the app.
import { isatty } from 'node:tty';
import { parseArgs } from 'node:util';
import { createBackend, createBackendForCommand } from '../../backend/create-backend';
import { CliExit, EXIT_USAGE, processIo, type CliIo } from './io';
import { topologyCommand, vethCommand } from './topology-commands';
import { captureCommand, parseCaptureArgs } from './capture-command';
import { serveCommand } from './serve-command';
import { parseTopArgs, topCommand } from './top-command';
import { doctorCommand } from './doctor-command';
import { installHelperCommand } from './install-helper-command';
import { extcapCommand } from '../extcap/command';
import { COMMAND_USAGE, VETH_USAGE, answerWithoutBackend } from './usage';
import { hostTopCommand, hostTopologyCommand, hostVethCommand, placeTargets, takeHostOptions } from './remote-hosts';
import { useOneShotParsing } from '../../../shared/one-shot-parsing';


export async function runCli(argvIn: string[], io: CliIo = processIo): Promise<number> {
  if (io === processIo) endQuietlyWhenStdoutCloses();
  // Remote Docker hosts (`--host ssh://...`, before the command): the commands below show and capture those.
  let remote: ReturnType<typeof takeHostOptions>;
  try {
    remote = takeHostOptions(argvIn);
  } catch (err) {
    io.err((err as Error).message);
    return EXIT_USAGE;
  }
  const hosts = remote.hosts;
  const argv = remote.rest;
  const quick = answerWithoutBackend(argv, true);
  if (quick) {
    if (quick.out !== undefined) io.out(quick.out);
    if (quick.err !== undefined) io.err(quick.err);
    return quick.status;
  }
  const [command, ...rest] = argv as [string, ...string[]];
  // Every command but serve parses a few messages and exits (shared/one-shot-parsing.ts).
  if (command !== 'serve') useOneShotParsing();
  const usage = COMMAND_USAGE[command]!;
  // serve owns its backend (it passes options and outlives this function's try/finally).
  const hostOpts = hosts.length ? { remoteHosts: hosts.filter((h) => h !== 'local'), offerDockerHosts: false } : {};
  if (command === 'serve') return serveCommand(rest, io, hosts.length ? { createBackend: (o) => createBackend({ ...o, ...hostOpts }) } : {});
  if (hosts.length && !['topology', 'veth', 'capture', 'top'].includes(command)) {
    io.err(`vethscope: --host applies to topology, veth, capture, top and serve, not ${command}`);
    return EXIT_USAGE;
  }
  // A root operation on the system's files: no backend, no Docker.
  if (command === 'install-helper') return installHelperCommand(rest, io);
  // Wireshark's extcap (and installing it): its own backend, started only for what needs one.
  if (command === 'extcap') return extcapCommand(rest, io);
  let backend;
  try {
    // Arguments are checked before anything starts: a usage error never asks for a password.
    const parsed = parseCommandArgs(command, rest);
    // A terminal can answer a password prompt (a checkout's helper is started only through one).
    // isatty(0), not process.stdin.isTTY: that getter opens a stream on stdin (2-3 ms of every command).
    const interactive = isatty(0) && Boolean(process.stderr.isTTY);
    // top samples at its own interval: the backend is built with it.
    const opts = { ...(parsed.top ? { ratesIntervalSec: parsed.top.interval } : {}), helperOptions: { interactive }, ...hostOpts };
    // Under sudo, only commands that capture or read namespaces start the helper before becoming you.
    backend = ['capture', 'topology', 'veth', 'top'].includes(command) ? await createBackendForCommand(opts) : createBackend(opts);
    if (hosts.length) {
      if (command === 'topology') return await hostTopologyCommand(backend, hosts, parsed.json, io);
      if (command === 'veth') return await hostVethCommand(backend, hosts, parsed.container!, io);
      if (command === 'top') return await hostTopCommand(backend, hosts, parsed.top!, io);
      await captureCommand(backend, rest, io, process, Date.now, (req) => placeTargets(backend!, hosts, req));
      return 0;
    }
    switch (command) {
      case 'top':
        return await topCommand(parsed.top!, io, backend);
      case 'topology':
        await topologyCommand(backend, { json: parsed.json }, io);
        return 0;
      case 'veth':
        await vethCommand(backend, parsed.container, io);
        return 0;
      case 'doctor':
        return await doctorCommand(backend, rest, io);
      default:
        await captureCommand(backend, rest, io);
        return 0;
    }
  } catch (err) {
    if (err instanceof CliExit) {
      io.err(err.message);
      return err.status;
    }
    const code = (err as { code?: string }).code;
    if (code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`vethscope ${command}: ${(err as Error).message}\n${usage}`);
      return EXIT_USAGE;
    }
    io.err(`vethscope: ${(err as Error).stack ?? String(err)}`);
    return 1;
  } finally {
    await backend?.close();
  }
}

/** The arguments of the commands that take a backend; throws (ERR_PARSE_ARGS or CliExit 2) on a usage error. */
function parseCommandArgs(command: string, rest: string[]): { top?: ReturnType<typeof parseTopArgs>; json: boolean; container?: string } {
  switch (command) {
    case 'top':
      return { top: parseTopArgs(rest), json: false };
    case 'topology': {
      const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean', default: false } }, strict: true });
      return { json: Boolean(values.json) };
    }
    case 'veth': {
      const { positionals } = parseArgs({ args: rest, options: {}, allowPositionals: true, strict: true });
      if (positionals.length !== 1) throw new CliExit(EXIT_USAGE, `veth: name one container\n${VETH_USAGE}`);
      return { json: false, container: positionals[0] };
    }
    case 'capture':
      parseCaptureArgs(rest);
      return { json: false };
    default:
      return { json: false };
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then((status) => {
    process.exitCode = status;
  });
}

/**
 * `vethscope topology --json | head`: the reader is gone, so there is no one left to tell. End
 * as a shell tool does on SIGPIPE (status 141), not with an unhandled EPIPE stack trace.
 */
function endQuietlyWhenStdoutCloses(): void {
  if (process.stdout.listenerCount('error') > 0) return;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(141);
  });
}
