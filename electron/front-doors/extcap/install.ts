// `vethscope extcap install [--user|--system] [--remove]`: put vethscope's launcher where
// this Wireshark looks (`tshark -G folders`: the folders move between versions), or take
// it out again. The launcher runs as whoever runs Wireshark, root included (tshark as
// root runs every extcap it finds): so when root installs it, every file it loads must be
// one only root can change, or installing it would hand root's Wireshark to someone else.
import { closeSync, constants, existsSync, fchmodSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { EXTCAP_PROGRAM } from '../../../shared/extcap';
import { CodedError } from '../../../shared/result';
import { describeProblem, whoElseCanChange } from '../../kernel/file-trust';
import { distPath, vethscopeVersion } from '../../util/package-root';
import { knownExtcapFolders, launcherText, readLauncher, wiresharkFolders, type WiresharkFolders } from '../../util/wireshark-extcap';

import { EXTCAP_INSTALL_USAGE } from './usage';
export { EXTCAP_INSTALL_USAGE };

export const EXIT_NOT_ROOT = 77;

export interface ExtcapInstallDeps {
  env: NodeJS.ProcessEnv;
  uid: number;
  folders(env: NodeJS.ProcessEnv): Promise<WiresharkFolders>;
  /** dist/extcap.cjs of this install (the launcher loads it). */
  bundle: string;
  /** The node the launcher runs (the one running this command). */
  node: string;
  version: string;
}

export const realInstallDeps = (): ExtcapInstallDeps => ({
  env: process.env,
  uid: process.getuid?.() ?? -1,
  folders: (env) => wiresharkFolders(env),
  bundle: distPath('extcap.cjs'),
  node: process.execPath,
  version: vethscopeVersion(),
});

export interface Step {
  done: 'installed' | 'replaced' | 'removed' | 'absent';
  path: string;
}

/** Files and folders under `dir` that someone other than root could change (symlinks are judged by their targets, in the walk). */
function treeProblems(dir: string, out: string[], limit = 5): void {
  if (!existsSync(dir) || out.length >= limit) return;
  const stack = [dir];
  while (stack.length && out.length < limit) {
    const d = stack.pop()!;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isSymbolicLink()) continue;
      const st = lstatSync(p);
      if (st.uid !== 0) out.push(`${p} is owned by uid ${st.uid}, not root`);
      else if (st.mode & 0o022) out.push(`${p} is writable by ${st.mode & 0o002 ? 'everyone' : `its group (gid ${st.gid})`}`);
      if (out.length >= limit) return;
      if (e.isDirectory()) stack.push(p);
    }
  }
}

/**
 * What root's Wireshark would run through this launcher: node, the extcap bundle, and
 * everything beside it that it loads (the CLI bundle for captures, node_modules in a
 * checkout). Empty when only root can change all of it.
 */
export function rootRunProblems(bundle: string, node: string): string[] {
  const problems = [node, bundle, join(dirname(bundle), 'cli.cjs')].flatMap((p) => whoElseCanChange(p).map(describeProblem));
  const root = dirname(dirname(bundle));
  for (const dir of [dirname(bundle), join(root, 'node_modules')]) treeProblems(dir, problems);
  return [...new Set(problems)];
}

function targetFolders(scope: 'user' | 'system', f: WiresharkFolders): string[] {
  if (scope === 'user') {
    if (!f.personal) throw new CodedError('NOT_FOUND', "tshark is not installed, so this Wireshark's personal extcap folder is unknown (it differs between versions): sudo apt install tshark, or use --system");
    return [f.personal];
  }
  if (!f.global.length) throw new CodedError('NOT_FOUND', "no Wireshark extcap folder found: is Wireshark installed? (sudo apt install tshark)");
  return f.global;
}

/** Write the launcher next to whatever is there only if that is ours: never over someone else's program. */
function writeLauncher(folder: string, text: string): Step {
  const path = join(folder, EXTCAP_PROGRAM);
  const there = lstatExists(path); // a dangling symlink is there too
  if (there && !readLauncher(path)) throw new CodedError('INVALID_INPUT', `${path} exists and is not vethscope's extcap: move it away first`);
  mkdirSync(folder, { recursive: true, mode: 0o755 });
  const tmp = join(folder, `.${EXTCAP_PROGRAM}.${process.pid}.tmp`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o755);
  try {
    fchmodSync(fd, 0o755); // whatever the umask: every Wireshark user runs it
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return { done: there ? 'replaced' : 'installed', path };
}

const lstatExists = (p: string) => {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
};

function removeLauncher(folder: string): Step | null {
  const path = join(folder, EXTCAP_PROGRAM);
  if (!readLauncher(path)) return null; // not there, or not ours: left alone
  unlinkSync(path);
  return { done: 'removed', path };
}

export async function extcapInstall(o: { scope: 'user' | 'system'; remove: boolean }, d: ExtcapInstallDeps): Promise<Step[]> {
  if (o.scope === 'system' && d.uid !== 0) throw Object.assign(new CodedError('PERMISSION_DENIED', 'the global extcap folder is root\'s: sudo vethscope extcap install --system'), { exit: EXIT_NOT_ROOT });
  const f = await d.folders(d.env);
  if (o.remove) {
    const known = knownExtcapFolders(d.env.HOME || '/nonexistent');
    const folders = o.scope === 'user' ? [f.personal, ...known.personal] : [...f.global, ...known.global];
    const steps = [...new Set(folders.filter((x): x is string => Boolean(x)))].map(removeLauncher).filter((s): s is Step => s !== null);
    return steps.length ? steps : [{ done: 'absent', path: targetFolders(o.scope, f)[0] ?? '' }];
  }
  if (!existsSync(d.bundle)) throw new CodedError('NOT_FOUND', `${d.bundle} is missing: build vethscope first (npm run build)`);
  if (!d.node.startsWith('/')) throw new CodedError('INVALID_INPUT', `node's path ${d.node} is not absolute`);
  if (d.uid === 0) {
    const problems = rootRunProblems(d.bundle, d.node);
    if (problems.length)
      throw new CodedError('PERMISSION_DENIED', `refusing to install for root's Wireshark: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}; Wireshark run as root would run code someone else can change. Install the Debian package, or use a copy of vethscope only root can change`);
  }
  const text = launcherText(d.node, d.bundle, d.version);
  return targetFolders(o.scope, f).map((folder) => writeLauncher(folder, text));
}

export async function extcapInstallCommand(args: string[], io: { out(t: string): void; err(t: string): void }, d: ExtcapInstallDeps = realInstallDeps()): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { user: { type: 'boolean', default: false }, system: { type: 'boolean', default: false }, remove: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } }, strict: true, allowPositionals: false }));
  } catch (e) {
    io.err(`vethscope extcap install: ${(e as Error).message}\n${EXTCAP_INSTALL_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(EXTCAP_INSTALL_USAGE);
    return 0;
  }
  if (values.user && values.system) {
    io.err(`vethscope extcap install: --user or --system, not both\n${EXTCAP_INSTALL_USAGE}`);
    return 2;
  }
  const scope = values.system ? 'system' : 'user';
  try {
    const steps = await extcapInstall({ scope, remove: Boolean(values.remove) }, d);
    for (const s of steps) io.out(`${s.done.padEnd(9)} ${s.path}`);
    if (!values.remove) io.out(`\nWireshark lists the containers the next time it starts (or: Capture > Refresh Interfaces); tshark -D shows them now.`);
    return 0;
  } catch (e) {
    const err = e as CodedError & { exit?: number };
    io.err(`vethscope extcap install: ${err.message}`);
    return err.exit ?? 1;
  }
}
