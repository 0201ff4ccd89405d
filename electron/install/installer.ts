// `vethscope install-helper [--group NAME]` and `--remove`, as root: copy the built
// helper to the fixed path with a root-owned interpreter in its first line, install the
// polkit action naming exactly that path and, with a group, a sudoers drop-in and a
// polkit rule for its members. Every file is written beside its target and renamed
// into place (sudoers validated with visudo first); a manifest records what was done so
// --remove takes away exactly that.
import { createHash } from 'node:crypto';
import { closeSync, constants, copyFileSync, existsSync, fchmodSync, fchownSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CodedError } from '../../shared/result';
import { execFileResult, findTool } from '../util/exec';
import { describeProblem, whoElseCanChange } from '../kernel/file-trust';
import { findGroup } from './groups';
import { chooseInterpreter } from './interpreter';
import { GROUP_NAME, systemLayout, type Layout } from './layout';
import { manifestText, readManifest, type InstallManifest } from './manifest';
import { helperScript, polkitAction, polkitGroupRule, sudoersDropIn } from './system-files';

export interface Step {
  path: string;
  done: 'installed' | 'updated' | 'unchanged' | 'removed' | 'skipped' | 'created' | 'deleted' | 'kept';
  note?: string;
}

export interface InstallRequest {
  group: string | null;
  /** The built helper bundle (dist/helper.cjs). */
  bundlePath: string;
  version: string;
  layout?: Layout;
  /** The node running this (process.execPath) and whether it is Electron's binary. */
  running?: string;
  runningIsElectron?: boolean;
}

export interface InstallResult {
  steps: Step[];
  manifest: InstallManifest;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

function requireRoot(what: string): void {
  if (process.geteuid?.() !== 0) throw new CodedError('PERMISSION_DENIED', `${what} writes to /usr/lib, /usr/share/polkit-1 and /etc: run it as root (sudo npx vethscope ${what})`);
}

function unlinkQuiet(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/**
 * Write `path` as root:root `mode`: into a temporary name in the same folder (a name with a dot:
 * sudo ignores it in sudoers.d), checked by `validate`, then renamed over the target.
 */
async function writeAtomic(path: string, content: { data: Buffer | string } | { copyOf: string }, mode: number, validate?: (tmp: string) => Promise<string | null>): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.vethscope-${process.pid}.tmp`);
  unlinkQuiet(tmp);
  let fd: number;
  if ('copyOf' in content) {
    copyFileSync(content.copyOf, tmp, constants.COPYFILE_EXCL);
    fd = openSync(tmp, constants.O_RDWR | constants.O_NOFOLLOW);
  } else {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    writeSync(fd, typeof content.data === 'string' ? Buffer.from(content.data) : content.data);
  }
  try {
    fchownSync(fd, 0, 0);
    fchmodSync(fd, mode);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const invalid = validate ? await validate(tmp) : null;
  if (invalid) {
    unlinkQuiet(tmp);
    throw new CodedError('INTERNAL', `${path} was not installed: ${invalid}`);
  }
  renameSync(tmp, path);
  const dfd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}

/** mkdir -p as root:root 0755, recording each folder it had to create. */
function ensureDir(dir: string, created: string[]): void {
  if (existsSync(dir)) return;
  ensureDir(dirname(dir), created);
  mkdirSync(dir, { mode: 0o755 });
  const fd = openSync(dir, 'r');
  try {
    fchownSync(fd, 0, 0);
    fchmodSync(fd, 0o755);
  } finally {
    closeSync(fd);
  }
  created.push(dir);
}

async function run(tool: string, args: string[]): Promise<string | null> {
  const path = findTool(tool);
  if (!path) return `${tool} is not installed`;
  const r = await execFileResult(path, args, { timeoutMs: 30_000, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' } });
  return r.code === 0 ? null : (r.stderr.trim() || r.stdout.trim() || `${tool} exited ${r.code}`);
}

/** What an earlier install-helper left, or a refusal when the files are not ours to replace. */
function previousInstall(layout: Layout): InstallManifest | null {
  const prev = readManifest(layout.manifestPath);
  if (prev.kind === 'ok' && prev.manifest.installedBy === 'debian-package') {
    throw new CodedError('UNSUPPORTED', `the helper at ${layout.helperPath} belongs to the vethscope package: apt manages it (sudo apt remove vethscope); its group is ${prev.manifest.group ?? 'none'}`);
  }
  if (prev.kind === 'invalid') throw new CodedError('INTERNAL', `${layout.manifestPath} is unreadable (${prev.message}): remove the files listed in README (Privileges) by hand, then install again`);
  if (prev.kind === 'absent' && existsSync(layout.helperPath)) {
    throw new CodedError('UNSUPPORTED', `${layout.helperPath} exists but install-helper did not install it (no ${layout.manifestPath}): remove it first`);
  }
  return prev.kind === 'ok' ? prev.manifest : null;
}

export async function installHelper(req: InstallRequest): Promise<InstallResult> {
  requireRoot('install-helper');
  const layout = req.layout ?? systemLayout;
  if (req.group !== null && !GROUP_NAME.test(req.group)) throw new CodedError('INVALID_INPUT', `--group "${req.group}": not a group name (lowercase letters, digits, _ and -)`);
  if (!existsSync(req.bundlePath)) throw new CodedError('NOT_FOUND', `${req.bundlePath} is missing: build first (npm run build), then run install-helper again`);
  const bundle = readFileSync(req.bundlePath, 'utf8');
  const prev = previousInstall(layout);
  const interp = await chooseInterpreter({ running: req.running ?? process.execPath, runningIsElectron: req.runningIsElectron ?? Boolean(process.versions.electron), libDir: layout.libDir });
  if ('error' in interp) throw new CodedError('UNSUPPORTED', interp.error);

  const steps: Step[] = [];
  const dirs = [...(prev?.dirs ?? [])];
  const createdGroups = [...(prev?.createdGroups ?? [])];
  const files: InstallManifest['files'] = [];
  const manifest = (): InstallManifest => ({ format: 1, installedBy: 'install-helper', version: req.version, helper: layout.helperPath, interpreter: interp.path, group: req.group, files, dirs, createdGroups });
  const before = new Map((prev?.files ?? []).map((f) => [f.path, f.sha256]));
  const put = async (path: string, data: string, mode: number, validate?: (tmp: string) => Promise<string | null>) => {
    const hash = sha256(data);
    const same = before.get(path) === hash && existsSync(path);
    ensureDir(dirname(path), dirs);
    await writeAtomic(path, { data }, mode, validate);
    files.push({ path, sha256: hash });
    steps.push({ path, done: same ? 'unchanged' : before.has(path) ? 'updated' : 'installed' });
  };

  ensureDir(layout.libDir, dirs);
  let completed = false;
  // Whatever happens next, the manifest says what is there, so --remove can take it away.
  try {
    if (req.group && !findGroup(req.group)) {
      const err = await run('groupadd', ['--system', req.group]);
      if (err) throw new CodedError('INTERNAL', `cannot create the group ${req.group}: ${err}`);
      if (!createdGroups.includes(req.group)) createdGroups.push(req.group);
      steps.push({ path: `group ${req.group}`, done: 'created', note: 'a system group; add people with: sudo adduser USER ' + req.group });
    }
    if (interp.copyFrom) {
      await writeAtomic(interp.path, { copyOf: interp.copyFrom }, 0o755);
      files.push({ path: interp.path, sha256: sha256(readFileSync(interp.path)) });
      steps.push({ path: interp.path, done: 'installed', note: interp.why });
    }
    await put(layout.helperPath, helperScript(interp.path, bundle), 0o755);
    steps[steps.length - 1]!.note = `interpreter ${interp.why}`;
    // The same check the helper makes on itself: refuse to leave an elevatable file others could change.
    const unsafe = [...whoElseCanChange(layout.helperPath), ...whoElseCanChange(interp.path)];
    if (unsafe.length) throw new CodedError('PERMISSION_DENIED', `installed, but the helper would refuse to run: ${describeProblem(unsafe[0]!)} (fix that, then install again)`);
    await put(layout.polkitActionPath, polkitAction(layout.helperPath), 0o644);

    if (req.group) {
      const group = req.group;
      if (existsSync(dirname(layout.sudoersPath)) && findTool('visudo')) {
        await put(layout.sudoersPath, sudoersDropIn(group, layout.helperPath), 0o440, (tmp) => run('visudo', ['-cf', tmp]));
        const whole = await run('visudo', ['-c']);
        if (whole) {
          unlinkQuiet(layout.sudoersPath);
          files.pop();
          throw new CodedError('INTERNAL', `sudo's whole configuration no longer parsed with ${layout.sudoersPath}; removed it again: ${whole}`);
        }
      } else steps.push({ path: layout.sudoersPath, done: 'skipped', note: 'sudo is not installed: install it and run install-helper again' });
      if (existsSync(dirname(layout.polkitRulePath))) await put(layout.polkitRulePath, polkitGroupRule(group), 0o644);
      else steps.push({ path: layout.polkitRulePath, done: 'skipped', note: 'polkit is not installed (no rules folder)' });
    }
    // Files an earlier install wrote that this one does not (the group rule after dropping --group).
    const now = new Set(files.map((f) => f.path));
    for (const old of before.keys()) if (!now.has(old) && unlinkQuiet(old)) steps.push({ path: old, done: 'removed', note: 'not part of this install' });
    completed = true;
  } finally {
    // Cut short: what the earlier install wrote and this one did not replace is still there, and still ours.
    if (!completed) for (const f of prev?.files ?? []) if (!files.some((x) => x.path === f.path) && existsSync(f.path)) files.push(f);
    await writeAtomic(layout.manifestPath, { data: manifestText(manifest()) }, 0o644);
  }
  return { steps, manifest: manifest() };
}

export async function removeHelper(opts: { layout?: Layout } = {}): Promise<Step[]> {
  requireRoot('install-helper --remove');
  const layout = opts.layout ?? systemLayout;
  const read = readManifest(layout.manifestPath);
  if (read.kind === 'absent') return [{ path: layout.manifestPath, done: 'skipped', note: 'nothing was installed by install-helper' }];
  if (read.kind === 'invalid') throw new CodedError('INTERNAL', `${layout.manifestPath} is unreadable (${read.message}): nothing removed`);
  const m = read.manifest;
  if (m.installedBy === 'debian-package') throw new CodedError('UNSUPPORTED', `the helper belongs to the vethscope package: remove it with apt (sudo apt remove vethscope)`);
  const steps: Step[] = [];
  for (const f of m.files) {
    let changed = false;
    try {
      changed = f.sha256 !== null && sha256(readFileSync(f.path)) !== f.sha256;
    } catch {
      /* gone already: unlink says so */
    }
    if (unlinkQuiet(f.path)) steps.push({ path: f.path, done: 'removed', ...(changed ? { note: 'it had changed since it was installed' } : {}) });
    else steps.push({ path: f.path, done: 'skipped', note: 'already gone' });
  }
  for (const g of m.createdGroups) {
    if (!findGroup(g)) continue;
    const err = await run('groupdel', [g]);
    steps.push({ path: `group ${g}`, done: err ? 'kept' : 'deleted', ...(err ? { note: err } : {}) });
  }
  unlinkQuiet(layout.manifestPath);
  for (const d of [...m.dirs].sort((a, b) => b.length - a.length)) {
    try {
      rmdirSync(d);
      steps.push({ path: d, done: 'removed' });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') steps.push({ path: d, done: 'kept', note: code === 'ENOTEMPTY' ? 'not empty' : String(code) });
    }
  }
  return steps;
}
