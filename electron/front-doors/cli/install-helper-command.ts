// `vethscope install-helper [--group NAME] [--remove]`: a root operation of the CLI
// (no backend, no Docker). The logic is electron/install/installer.ts.
import { parseArgs } from 'node:util';
import { CodedError } from '../../../shared/result';
import { findGroup } from '../../install/groups';
import { installHelper, removeHelper, type Step } from '../../install/installer';
import { SUGGESTED_GROUP } from '../../install/layout';
import { distPath, vethscopeVersion } from '../../util/package-root';
import { EXIT_USAGE, type CliIo } from './io';

import { INSTALL_HELPER_USAGE } from './usage';
export { INSTALL_HELPER_USAGE };

const EXIT_NOT_ROOT = 77; // EX_NOPERM

function line(s: Step): string {
  return `${s.done.padEnd(9)} ${s.path}${s.note ? `  (${s.note})` : ''}`;
}

export async function installHelperCommand(args: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { group: { type: 'string' }, remove: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } }, strict: true, allowPositionals: false }));
  } catch (e) {
    io.err(`vethscope install-helper: ${(e as Error).message}\n${INSTALL_HELPER_USAGE}`);
    return EXIT_USAGE;
  }
  if (values.help) {
    io.out(INSTALL_HELPER_USAGE);
    return 0;
  }
  if (values.remove && values.group !== undefined) {
    io.err(`vethscope install-helper: --remove takes no --group (it removes whatever was installed)\n${INSTALL_HELPER_USAGE}`);
    return EXIT_USAGE;
  }
  try {
    if (values.remove) {
      for (const s of await removeHelper()) io.out(line(s));
      return 0;
    }
    const group = values.group ?? null;
    const { steps } = await installHelper({ group, bundlePath: distPath('helper.cjs'), version: vethscopeVersion() });
    for (const s of steps) io.out(line(s));
    io.out('');
    if (group) {
      io.out(`Members of "${group}" may now start the helper without a password (sudo -n and pkexec): they may capture any traffic on this host.`);
      const who = env.SUDO_USER;
      const g = findGroup(group);
      if (who && who !== 'root' && g && !g.members.includes(who)) io.out(`You (${who}) are not in it yet: sudo adduser ${who} ${group}   (then log in again)`);
      else io.out(`Add someone: sudo adduser NAME ${group}   (they log in again before it counts)`);
    } else {
      io.out('Starting the helper asks for an administrator\'s password (pkexec on a desktop, sudo in a terminal).');
      io.out(`To let a group start it without one: sudo npx vethscope install-helper --group ${SUGGESTED_GROUP}`);
    }
    io.out('Check with: vethscope doctor');
    return 0;
  } catch (e) {
    const err = e instanceof CodedError ? e : new CodedError('INTERNAL', (e as Error).message ?? String(e));
    io.err(`vethscope install-helper: ${err.message}`);
    return err.code === 'PERMISSION_DENIED' && /run it as root/.test(err.message) ? EXIT_NOT_ROOT : 1;
  }
}
