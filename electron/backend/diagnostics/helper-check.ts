// doctor's helper section: how the helper will be started from here (the same plan
// HelperClient follows), whether the installed one is safe, and the group rule.
import type { DiagnosticProblem, Diagnostics } from '../../../shared/diagnostics';
import { findGroup, processInGroup, readGroups, type GroupEntry } from '../../install/groups';
import type { InstalledHelper } from '../../install/installed-helper';
import { installCommand } from '../../install/layout';
import { planLaunch, type ElevationInput } from '../helper-client/elevation';

/** The command that fixes one of file-trust's problems ("PATH is writable by ...", "PATH is owned by uid N"). */
export function trustFix(problem: string): string | null {
  const writable = /^(\/\S*) is writable by/.exec(problem);
  if (writable) return `sudo chmod go-w ${writable[1]}`;
  const owned = /^(\/\S*) is owned by uid \d+/.exec(problem);
  if (owned) return `sudo chown root:root ${owned[1]}`;
  return null;
}

export interface HelperCheckInput {
  elevation: ElevationInput;
  installed: InstalledHelper | null;
  running: boolean;
  userName: string | null;
  groups?: GroupEntry[];
  inGroup?: (group: string) => boolean;
}

export function checkHelper(c: HelperCheckInput): { helper: Diagnostics['helper']; problems: DiagnosticProblem[] } {
  const { installed } = c;
  const inGroupOf = c.inGroup ?? ((g: string) => processInGroup(g, c.groups));
  const problems: DiagnosticProblem[] = [];
  let plan: ReturnType<typeof planLaunch> | null = null;
  let planError: string | null = null;
  try {
    plan = planLaunch({ ...c.elevation, installed, inGroup: inGroupOf });
  } catch (e) {
    planError = (e as Error).message;
  }
  const root = c.elevation.uid === 0;
  const inGroup = installed?.group ? inGroupOf(installed.group) : null;
  const user = c.userName ?? '$USER';

  for (const p of installed?.problems ?? []) problems.push({ area: 'helper', message: `the installed helper is not safe to run as root: ${p}`, fix: trustFix(p) ?? `reinstall: ${installCommand()}` });
  if (!installed && !root) {
    problems.push({
      area: 'helper',
      message: plan
        ? 'no installed helper: this checkout\'s helper starts only through a password prompt each time (development)'
        : (planError ?? 'no installed helper'),
      fix: installCommand(),
    });
  } else if (planError && !installed?.problems.length) {
    problems.push({ area: 'helper', message: planError, fix: null });
  }
  if (installed?.group && !root && inGroup === false) {
    const listed = findGroup(installed.group, c.groups ?? readGroups())?.members.includes(c.userName ?? '') ?? false;
    problems.push(
      listed
        ? { area: 'group', message: `you were added to ${installed.group} after you logged in: sudo still sees your old groups`, fix: 'log out and in again' }
        : { area: 'group', message: `you are not in ${installed.group}, whose members start the helper without a password`, fix: `sudo adduser ${user} ${installed.group}   (then log in again)` },
    );
  }
  return {
    helper: {
      argv: plan?.argv ?? null,
      mode: plan?.mode ?? null,
      program: plan?.helper ?? null,
      installed: installed !== null,
      trusted: installed !== null && installed.problems.length === 0,
      path: installed?.path ?? null,
      interpreter: installed?.interpreter ?? null,
      installedBy: installed?.installedBy ?? null,
      group: installed?.group ?? null,
      inGroup,
      running: c.running,
      problems: [...(installed?.problems ?? []), ...(planError ? [planError] : [])],
    },
    problems,
  };
}
