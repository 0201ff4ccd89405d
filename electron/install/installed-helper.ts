// Is the helper installed, and is it safe to elevate? Read by the unprivileged side
// (elevation, doctor): the helper file, the interpreter in its first line, every
// folder above both must be changeable by root alone, exactly what the helper checks
// on itself when it starts elevated (electron/root-helper/trust.ts).
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { describeProblem, realFs, whoElseCanChange, type TrustFs } from '../kernel/file-trust';
import { NODE_IDLE_FLAG } from '../util/node-flags';
import { systemLayout, type Layout } from './layout';
import { readManifest, type InstallManifest } from './manifest';

export interface InstalledHelper {
  path: string;
  installedBy: InstallManifest['installedBy'] | null;
  version: string | null;
  interpreter: string | null;
  /** The group a sudoers/polkit rule lets start it without a password, if any. */
  group: string | null;
  /** Why it is not safe to elevate; empty when only root can change it. */
  problems: string[];
  /** Things worth knowing that are not about safety (an unreadable manifest). */
  notes: string[];
}

/** The interpreter named in a script's first line (`#!/usr/bin/node`, or with node's idle flag and nothing else), or null. */
export function readShebang(path: string): string | null {
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(256);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const m = new RegExp(`^#!(/\\S+)(?:[ \\t]+${NODE_IDLE_FLAG})?[ \\t]*\\n`).exec(buf.subarray(0, n).toString('utf8'));
    return m ? m[1]! : null;
  } catch {
    return null;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

export interface InspectDeps {
  layout?: Layout;
  fs?: TrustFs;
  exists?: (path: string) => boolean;
  shebang?: (path: string) => string | null;
}

/** null when nothing is installed at the fixed path. */
export function inspectInstalledHelper(deps: InspectDeps = {}): InstalledHelper | null {
  const layout = deps.layout ?? systemLayout;
  const exists = deps.exists ?? existsSync;
  if (!exists(layout.helperPath)) return null;
  const read = readManifest(layout.manifestPath);
  const manifest = read.kind === 'ok' ? read.manifest : null;
  const notes = read.kind === 'invalid' ? [`${layout.manifestPath}: ${read.message}`] : read.kind === 'absent' ? [`no ${layout.manifestPath}: which group may start the helper is unknown`] : [];
  const interpreter = (deps.shebang ?? readShebang)(layout.helperPath);
  const fs = deps.fs ?? realFs;
  const problems = whoElseCanChange(layout.helperPath, {}, fs).map(describeProblem);
  if (!interpreter) problems.push(`${layout.helperPath} does not start with #!/path/to/node`);
  else problems.push(...whoElseCanChange(interpreter, {}, fs).map((p) => `${describeProblem(p)} (its interpreter)`));
  return {
    path: layout.helperPath,
    installedBy: manifest?.installedBy ?? null,
    version: manifest?.version ?? null,
    interpreter,
    group: manifest?.group ?? null,
    problems,
    notes,
  };
}
