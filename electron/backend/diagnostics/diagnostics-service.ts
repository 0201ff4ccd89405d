// `getDiagnostics`: every check doctor shows, gathered without starting anything (no
// helper, no prompt): reading files, asking sockets, planning the launch.
import type { Diagnostics } from '../../../shared/diagnostics';
import { vethscopeVersion } from '../../util/package-root';
import { findTool as systemFindTool } from '../../util/exec';
import { readGroups } from '../../install/groups';
import { inspectInstalledHelper, type InstalledHelper } from '../../install/installed-helper';
import type { Backend } from '../backend';
import { elevationInput } from '../helper-client/elevation';
import { defaultHelperPath, type HelperClientOptions } from '../helper-client/helper-client';
import { checkCaptures, checkEngines, checkTools } from './environment-checks';
import { checkHelper } from './helper-check';
import { checkExtcap } from './extcap-check';

export interface DiagnosticsDeps {
  env: NodeJS.ProcessEnv;
  capturesDir: string;
  /** The options the backend's HelperClient was built with: doctor plans exactly its launch. */
  helperOptions: HelperClientOptions;
  helperRunning: () => boolean;
  dockerPing: () => Promise<unknown>;
  installed?: () => InstalledHelper | null;
}

function userName(uid: number, env: NodeJS.ProcessEnv): string | null {
  if (env.USER && env.USER !== 'root' && uid !== 0) return env.USER;
  return uid === 0 ? 'root' : (env.LOGNAME ?? null);
}

export async function gatherDiagnostics(d: DiagnosticsDeps): Promise<Diagnostics> {
  const o = d.helperOptions;
  const findTool = o.findTool ?? systemFindTool;
  const elevation = elevationInput({ ...o, env: o.env ?? d.env, helperPath: o.helperPath ?? defaultHelperPath(), findTool });
  const groups = readGroups();
  const name = userName(elevation.uid, elevation.env);
  const gids = new Set([...(process.getgroups?.() ?? []), process.getgid?.() ?? -1]);
  const helper = checkHelper({ elevation, installed: (d.installed ?? inspectInstalledHelper)(), running: d.helperRunning(), userName: name, groups });
  const tools = checkTools(findTool, elevation.env, elevation.uid === 0);
  const engines = await checkEngines({ env: elevation.env, dockerPing: d.dockerPing, helperUsable: helper.helper.argv !== null, userName: name });
  const captures = await checkCaptures(d.capturesDir, name);
  const wireshark = await checkExtcap(elevation.env, findTool);
  return {
    version: vethscopeVersion(),
    user: { uid: elevation.uid, name, groups: groups.filter((g) => gids.has(g.gid)).map((g) => g.name) },
    helper: helper.helper,
    engines: engines.engines,
    tools: tools.tools,
    captures: captures.captures,
    wireshark: wireshark.wireshark,
    problems: [...helper.problems, ...engines.problems, ...tools.problems, ...captures.problems, ...wireshark.problems],
  };
}

export function registerDiagnostics(backend: Backend, deps: DiagnosticsDeps): void {
  backend.handle('getDiagnostics', () => gatherDiagnostics(deps));
}
