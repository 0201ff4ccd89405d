// Every help text of the `vethscope` command, and the answers that need nothing else: help,
// COMMAND --help, a missing or unknown command. Text and plain functions only, so dist/cli-help.cjs
// (the launcher's first stop) answers them without loading the 1 MB CLI bundle.
import { HELPER_PATH, SUGGESTED_GROUP } from '../../install/layout';
import { EXTCAP_USAGE } from '../extcap/usage';
import { printableLines } from '../../../shared/text';

export const CAPTURE_USAGE = `usage: vethscope capture TARGET... [--iface NAME] [--filter EXPR] [--duration S] [--count N]
         [--max-size MB] [--ring N] [--snaplen N] [--format pcapng|pcap] [--follow] [--wireshark] [-o FILE|DIR]
TARGET: a container name or id prefix, host:IFACE, or netns:NAME_OR_INODE:IFACE
  (any engine's: pod/NAME for a pod, ENGINE:NAME such as podman:web or lxc:web)
--iface NAME (repeatable) captures only those interfaces of the container targets
--ring N keeps the last N files of --max-size MB each
--follow re-attaches when a container target restarts (the gap is recorded)
--wireshark also opens Wireshark live on the same targets (needs: vethscope extcap install --user)
exit status: 0 done, 1 failed, 2 usage error or a target not found/ambiguous`;

export const INSTALL_HELPER_USAGE = `usage: vethscope install-helper [--group NAME] [--remove]

As root: install the privileged capture helper at ${HELPER_PATH} (root-owned, with a
root-owned node), and the polkit action that names exactly that program.
  --group NAME   also let members of NAME start it without a password (a sudoers drop-in and a
                 polkit rule; the group is created when missing). Being in NAME means: may capture
                 any traffic on this host, like Wireshark's "${SUGGESTED_GROUP}" group.
  --remove       remove everything install-helper installed (its manifest lists it)
Example: sudo npx vethscope install-helper --group ${SUGGESTED_GROUP}`;

export const TOPOLOGY_USAGE = 'usage: vethscope topology [--json]   (--json: the model, docs/topology-schema.md)';

export const VETH_USAGE = `usage: vethscope veth CONTAINER
prints the host-side interface of each of the container's veths, one a line
CONTAINER: a name, an id prefix, a compose service (web), or part of a name (web-1 finds nb_web_1),
  pod/NAME (a Podman or Kubernetes pod, pod/NAMESPACE/NAME), or ENGINE:NAME (podman:web, lxc:web)`;

export const HOST_USAGE = `--host ssh://[user@]host[:port] (before the command, repeatable): show and capture that Docker host
    over your own SSH (keys, agent, ~/.ssh/config, known_hosts checked; never a password); --host local adds
    this machine. A container on one of them: NAME@HOST (or NAME alone when only one host has it).`;

export const TOP_USAGE = 'usage: vethscope top [--interval S] [--samples N] [--json]   (q or Ctrl-C quits)';

export const SERVE_USAGE = 'usage: vethscope serve [--host 127.0.0.1] [--port N] [--captures-dir DIR] [--allow-remote]';

export const DOCTOR_USAGE = 'usage: vethscope doctor [--json]   (exit 0: no problems, 1: problems, each with its fix)';

export const USAGE = `usage: vethscope <command> [options]

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
  extcap install [--user|--system] [--remove]
                           Wireshark lists every container as a capture interface (see: vethscope extcap --help)
  help                     this text (COMMAND --help: that command's)

CONTAINER: a name, an id prefix, a compose service (web), or part of a name (web-1 finds nb_web_1)
${HOST_USAGE}
exit status: 0 done, 1 failed, 2 usage error (a bad option or argument, or a container not found or ambiguous)
`;

/** Each command's own --help (printed without starting anything). */
export const COMMAND_USAGE: Record<string, string> = {
  topology: TOPOLOGY_USAGE,
  veth: VETH_USAGE,
  capture: CAPTURE_USAGE,
  serve: SERVE_USAGE,
  top: TOP_USAGE,
  doctor: DOCTOR_USAGE,
  'install-helper': INSTALL_HELPER_USAGE,
  extcap: EXTCAP_USAGE,
};

/** Exit status of a usage error (io.ts says the same for the commands). */
const EXIT_USAGE = 2;

export interface QuickAnswer {
  status: number;
  out?: string;
  err?: string;
}

/**
 * What needs no backend at all: no command, help, an unknown command, COMMAND --help. Null for
 * everything else. Until the global options (--host) are taken off, a leading option is theirs:
 * null, the full CLI reads it.
 */
export function answerWithoutBackend(argv: string[], globalOptionsTaken = false): QuickAnswer | null {
  const [command, ...rest] = argv;
  if (command === undefined) return { status: EXIT_USAGE, err: USAGE };
  if (command === 'help' || command === '--help' || command === '-h') return { status: 0, out: USAGE };
  if (command.startsWith('-') && !globalOptionsTaken) return null;
  const usage = COMMAND_USAGE[command];
  if (usage === undefined) return { status: EXIT_USAGE, err: `vethscope: unknown command "${command}"\n${USAGE}` };
  if (rest.includes('--help') || rest.includes('-h')) return { status: 0, out: usage };
  return null;
}

/** Print it as the CLI's own io does (io.ts): whole lines, control characters shown escaped. */
export function printQuickAnswer(a: QuickAnswer, out: { write(s: string): unknown } = process.stdout, err: { write(s: string): unknown } = process.stderr): void {
  const line = (t: string) => printableLines(t.endsWith('\n') ? t.slice(0, -1) : t) + '\n';
  if (a.out !== undefined) out.write(line(a.out));
  if (a.err !== undefined) err.write(line(a.err));
}
