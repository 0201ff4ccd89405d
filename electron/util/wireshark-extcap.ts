// Where Wireshark looks for extcap programs, and vethscope's launcher there. The folders
// move between versions (4.0: one global `Extcap path:` and the personal configuration's
// extcap/; 4.2+: `Personal Extcap path:` and `Global Extcap path:`; 4.4 adds per-program
// subfolders; 4.6 moves the global one to /usr/libexec), so they are read from
// `tshark -G folders`, never guessed, whenever tshark is there. Used by `vethscope extcap
// install`, doctor, and the Backend before it opens Wireshark on a running capture.
import { accessSync, closeSync, constants, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { EXTCAP_PROGRAM } from '../../shared/extcap';
import { execFileResult, findTool } from './exec';
import { NODE_IDLE_FLAG } from './node-flags';

export interface WiresharkFolders {
  /** The extcap folder Wireshark reads for this user, or null when tshark does not say. */
  personal: string | null;
  /** The extcap folders every user's Wireshark reads. */
  global: string[];
  /** Where the answer came from. */
  source: 'tshark' | 'guess';
}

/** `tshark -G folders`: tab-separated `Name:\tPATH` lines. */
export function parseWiresharkFolders(text: string): Omit<WiresharkFolders, 'source'> {
  const lines = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^([^:\t]+):\s*\t(.*)$/.exec(line.trimEnd());
    if (!m) continue;
    const key = m[1]!.trim().toLowerCase();
    lines.set(key, [...(lines.get(key) ?? []), m[2]!.trim()]);
  }
  const one = (k: string) => lines.get(k)?.[0] ?? null;
  const conf = one('personal configuration');
  // 4.0 names only the global folder ("Extcap path"); its personal one is the configuration's extcap/.
  const personal = one('personal extcap path') ?? (one('extcap path') && conf ? join(conf, 'extcap') : null);
  const global = [...new Set([...(lines.get('global extcap path') ?? []), ...(lines.get('extcap path') ?? [])])];
  return { personal, global };
}

/** Every extcap folder some Wireshark version reads (for finding launchers left in another version's). */
export function knownExtcapFolders(home: string): { personal: string[]; global: string[] } {
  return {
    personal: [join(home, '.config/wireshark/extcap'), join(home, '.local/lib/wireshark/extcap'), join(home, '.local/lib/wireshark/extcap/wireshark')],
    global: ['/usr/lib/x86_64-linux-gnu/wireshark/extcap', '/usr/lib/aarch64-linux-gnu/wireshark/extcap', '/usr/lib/wireshark/extcap', '/usr/libexec/wireshark/extcap', '/usr/libexec/wireshark/extcap/wireshark'],
  };
}

const isDir = (p: string) => {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * The folders this user's Wireshark reads: from tshark when it is installed (with this
 * environment: HOME and XDG_CONFIG_HOME decide the personal one), else the known global
 * folders that exist and no personal one (it differs by version: nothing to guess from).
 */
export async function wiresharkFolders(env: NodeJS.ProcessEnv = process.env, tshark: string | null = findTool('tshark')): Promise<WiresharkFolders> {
  if (tshark) {
    const r = await execFileResult(tshark, ['-G', 'folders'], { env, timeoutMs: 15_000, maxOutputBytes: 1 << 20 });
    if (r.code === 0) {
      const f = parseWiresharkFolders(r.stdout);
      if (f.personal || f.global.length) return { ...f, source: 'tshark' };
    }
  }
  return { personal: null, global: knownExtcapFolders('/').global.filter(isDir), source: 'guess' };
}

/** The second line of every launcher vethscope writes: how --remove and doctor know theirs. */
export const LAUNCHER_MARK = "# vethscope's Wireshark extcap";

/** A word the shell takes literally, whatever it holds. */
const shellQuote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

/**
 * The executable Wireshark runs. Wireshark asks every interface for its options each time
 * it starts (100 containers: 100 more processes): those exact calls are answered by
 * printing what the last listing wrote for that interface, when the folder and the file are
 * ours, without starting node; everything else is this node running this install's bundle.
 * Absolute paths only (Wireshark's PATH is not ours to trust); the interface name is used
 * only when it is one of ours and holds no '/' or '..'.
 */
export function launcherText(node: string, bundle: string, version: string): string {
  return [
    '#!/bin/sh',
    `${LAUNCHER_MARK}, installed by \`vethscope extcap install\` (vethscope ${version}).`,
    "# Lists containers as capture interfaces; captures them through vethscope's privileged helper.",
    'if [ $# -eq 3 ] && [ "$1" = --extcap-config ] && [ "$2" = --extcap-interface ]; then',
    '  case $3 in',
    '  */* | *..*) ;;',
    '  vethscope | vethscope-*)',
    '    d=',
    '    if [ -n "${XDG_RUNTIME_DIR:-}" ] && [ "${XDG_RUNTIME_DIR#/}" != "$XDG_RUNTIME_DIR" ]; then d=$XDG_RUNTIME_DIR/vethscope',
    '    elif [ -n "${HOME:-}" ] && [ "${HOME#/}" != "$HOME" ]; then d=$HOME/.cache/vethscope; fi',
    '    f=$d/options/$3',
    '    if [ -n "$d" ] && [ -O "$d" ] && [ -O "$d/options" ] && [ ! -h "$f" ] && [ -f "$f" ] && [ -O "$f" ]; then exec /bin/cat -- "$f"; fi',
    '    ;;',
    '  esac',
    'fi',
    `exec ${shellQuote(node)} ${NODE_IDLE_FLAG} ${shellQuote(bundle)} "$@"`,
    '',
  ].join('\n');
}

const unquote = (q: string) => q.slice(1, -1).replace(/'\\''/g, "'");

export interface Launcher {
  path: string;
  node: string;
  bundle: string;
}

/** A launcher of ours at `path` (null when there is none, or the file is someone else's). */
export function readLauncher(path: string): Launcher | null {
  let text: string;
  try {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const buf = Buffer.alloc(4096);
      text = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
  const lines = text.split('\n');
  if (lines[0] !== '#!/bin/sh' || !lines[1]?.startsWith(LAUNCHER_MARK)) return null;
  // An older launcher has no idle flag: still ours.
  const m = new RegExp(`^exec ('(?:[^']|'\\\\'')*') (?:${NODE_IDLE_FLAG} )?('(?:[^']|'\\\\'')*') "\\$@"$`, 'm').exec(text);
  return m ? { path, node: unquote(m[1]!), bundle: unquote(m[2]!) } : null;
}

/** Why Wireshark could not run this launcher, or null when it can. */
export function launcherProblem(l: Launcher): string | null {
  try {
    accessSync(l.path, constants.X_OK);
  } catch {
    return `${l.path} is not executable`;
  }
  try {
    accessSync(l.node, constants.X_OK);
  } catch {
    return `${l.path} runs ${l.node}, which is missing`;
  }
  try {
    accessSync(l.bundle, constants.R_OK);
  } catch {
    return `${l.path} loads ${l.bundle}, which is missing (moved or removed vethscope? npm run build?)`;
  }
  return null;
}

export interface ExtcapFinding {
  folders: WiresharkFolders;
  /** Our launcher in a folder Wireshark reads, if any. */
  found: Launcher | null;
  /** Why the found launcher would not run. */
  problem: string | null;
  /** Launchers of ours in folders this Wireshark does not read (left by another version's install). */
  elsewhere: string[];
}

/** Whether Wireshark (as this user, with this environment) will find and run vethscope's extcap. */
export async function findExtcap(env: NodeJS.ProcessEnv = process.env, tshark: string | null = findTool('tshark')): Promise<ExtcapFinding> {
  const folders = await wiresharkFolders(env, tshark);
  const read = [folders.personal, ...folders.global].filter((f): f is string => Boolean(f));
  let found: Launcher | null = null;
  for (const f of read) {
    found = readLauncher(join(f, EXTCAP_PROGRAM));
    if (found) break;
  }
  const known = knownExtcapFolders(env.HOME || '/nonexistent');
  const elsewhere = [...known.personal, ...known.global].filter((f) => !read.includes(f) && readLauncher(join(f, EXTCAP_PROGRAM))).map((f) => join(f, EXTCAP_PROGRAM));
  return { folders, found, problem: found ? launcherProblem(found) : null, elsewhere };
}
