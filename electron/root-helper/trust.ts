// Before anything else, the helper checks that it is not the program of an unsafe
// elevation rule: when sudo or pkexec started it as root, its own script, its
// interpreter and every folder above them must be changeable by root alone. A rule
// naming a file its user may rewrite is a passwordless root shell for that user;
// this check cannot stop such a rule from existing (a rewritten file skips it), but
// it makes every such setup fail loudly on first use, so none is left in place.
// Started by root directly (setpriv, tests), the file is root's own choice: SUDO_UID
// inherited from an earlier `sudo npm test` does not count, only a sudo whose
// SUDO_COMMAND names this program (sudo sets it; env_reset keeps callers from it).
//
// --dev-checkout (a checkout's helper, started through a password prompt): the
// script and its folders may also belong to the person sudo/pkexec ran it for,
// never to anyone else; the interpreter must still be root's.
import { writeSync } from 'node:fs';
import { DEV_CHECKOUT_FLAG, HELPER_EXIT_UNTRUSTED } from '../../shared/helper-exit';
import { describeProblem, realFs, whoElseCanChange, type TrustFs } from '../kernel/file-trust';

export const INSTALL_FIX = 'install the helper (as root, from a built checkout): sudo npx vethscope install-helper';

export interface TrustContext {
  euid: number;
  env: NodeJS.ProcessEnv;
  argv: readonly string[];
  /** The files that hold the code about to run (the script named on the command line, this bundle). */
  scripts: readonly string[];
  execPath: string;
  fs?: TrustFs;
}

const uidOf = (s: string | undefined): number | undefined => (s !== undefined && /^\d{1,10}$/.test(s) ? Number(s) : undefined);

/** sudo ran this very program (not a root process tree that sudo started earlier). */
function sudoRanUs(ctx: TrustContext): boolean {
  if (ctx.env.SUDO_UID === undefined) return false;
  const command = ctx.env.SUDO_COMMAND;
  if (command === undefined) return true; // cannot tell: check
  const words = new Set(command.split(' '));
  return [...ctx.scripts, ctx.execPath].some((p) => words.has(p));
}

/** Why the helper must not run as things stand, or null when it may. */
export function trustRefusal(ctx: TrustContext): string | null {
  if (ctx.euid !== 0) return null;
  const elevated = ctx.env.PKEXEC_UID !== undefined || sudoRanUs(ctx);
  if (!elevated) return null;
  // identity.ts trusts PKEXEC_UID over SUDO_UID: so does the owner a dev checkout may have.
  const invoker = ctx.env.PKEXEC_UID !== undefined ? uidOf(ctx.env.PKEXEC_UID) : uidOf(ctx.env.SUDO_UID);
  const dev = ctx.argv.includes(DEV_CHECKOUT_FLAG) && invoker !== undefined;
  const fs = ctx.fs ?? realFs;
  const checks: Array<[string, number | undefined]> = [...new Set(ctx.scripts)].map((s) => [s, dev ? invoker : undefined]);
  checks.push([ctx.execPath, undefined]);
  for (const [path, alsoOwner] of checks) {
    const problems = whoElseCanChange(path, { alsoOwner }, fs);
    if (problems.length) {
      const what = path === ctx.execPath ? `its interpreter ${path}` : path;
      return `${describeProblem(problems[0]!)} (checking ${what}): only root may be able to change a program that sudo or pkexec runs as root; ${INSTALL_FIX}`;
    }
  }
  return null;
}

/** Exit with HELPER_EXIT_UNTRUSTED and one line on stderr when the helper must not run. */
export function enforceHelperTrust(): void {
  const scripts = [process.argv[1], __filename].filter((s): s is string => Boolean(s));
  const why = trustRefusal({ euid: process.geteuid?.() ?? -1, env: process.env, argv: process.argv.slice(2), scripts, execPath: process.execPath });
  if (!why) return;
  writeSync(2, `vethscope-helper: refusing to run as root: ${why}\n`);
  process.exit(HELPER_EXIT_UNTRUSTED);
}
