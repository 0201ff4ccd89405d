// `vethscope` command line: one front door onto the same Backend as the app.
import { parseArgs } from 'node:util';
import { createBackend, createBackendForCommand } from '../../backend/create-backend';
import { CliExit, processIo, type CliIo } from './io';
import { topologyCommand, vethCommand } from './topology-commands';
import { CAPTURE_USAGE, captureCommand } from './capture-command';
import { serveCommand } from './serve-command';
import { parseTopArgs, topCommand } from './top-command';
import { doctorCommand } from './doctor-command';
import { installHelperCommand } from './install-helper-command';

const USAGE = `usage: vethscope <command> [options]

commands:
  topology [--json]        how every namespace, veth and bridge is wired
  veth CONTAINER           host-side interface(s) of one container
  capture TARGET...        capture into pcapng (see: vethscope capture --help)
  serve [--host H] [--port N] [--captures-dir DIR]
                           browser mode: prints a single-use link (Enter: another) and serves the app until Ctrl+C
  top [--interval S] [--samples N] [--json]
                           containers by traffic rate, refreshed every interval (q quits)
  doctor [--json]          how the helper will start, engines, tools, captures folder: problems and their fixes
  install-helper [--group NAME] [--remove]
                           as root: install the privileged helper (see: vethscope install-helper --help)
  help                     this text
`;

export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  // serve owns its backend (it passes options and outlives this function's try/finally).
  if (command === 'serve') return serveCommand(rest, io);
  // A root operation on the system's files: no backend, no Docker.
  if (command === 'install-helper') return installHelperCommand(rest, io);
  let backend;
  try {
    // top samples at its own interval: the backend is built with it.
    const top = command === 'top' ? parseTopArgs(rest) : null;
    // A terminal can answer a password prompt (a checkout's helper is started only through one).
    const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
    const opts = { ...(top ? { ratesIntervalSec: top.interval } : {}), helperOptions: { interactive } };
    // Under sudo, only commands that capture or read namespaces start the helper before becoming you.
    backend = ['capture', 'topology', 'veth', 'top'].includes(command ?? '') ? await createBackendForCommand(opts) : createBackend(opts);
    switch (command) {
      case 'top':
        return await topCommand(top!, io, backend);
      case 'topology': {
        const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean', default: false } }, strict: true });
        await topologyCommand(backend, { json: Boolean(values.json) }, io);
        return 0;
      }
      case 'veth': {
        const { positionals } = parseArgs({ args: rest, options: {}, allowPositionals: true, strict: true });
        await vethCommand(backend, positionals[0], io);
        return 0;
      }
      case 'doctor':
        return await doctorCommand(backend, rest, io);
      case 'capture': {
        if (rest.includes('--help') || rest.includes('-h')) {
          io.out(CAPTURE_USAGE);
          return 0;
        }
        await captureCommand(backend, rest, io);
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? 64 : 0;
      default:
        io.err(`vethscope: unknown command "${command}"\n${USAGE}`);
        return 64;
    }
  } catch (err) {
    if (err instanceof CliExit) {
      io.err(err.message);
      return err.status;
    }
    const code = (err as { code?: string }).code;
    if (code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`vethscope: ${(err as Error).message}`);
      return 64;
    }
    io.err(`vethscope: ${(err as Error).stack ?? String(err)}`);
    return 1;
  } finally {
    await backend?.close();
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then((status) => {
    process.exitCode = status;
  });
}
