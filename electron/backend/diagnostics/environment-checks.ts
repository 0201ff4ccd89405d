// doctor's other sections: container engines that answer, the tools vethscope runs,
// and the captures folder. Each problem carries the command that fixes it.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import type { DiagnosticProblem, Diagnostics } from '../../../shared/diagnostics';
import { describeDockerError, dockerEndpoint } from '../../engines/docker';
import { onPath } from '../capture/launchers';

type Tool = Diagnostics['tools'][number];

/** What vethscope runs, why, and the Debian package that has it. */
export const TOOLS: Array<Omit<Tool, 'path'> & { pkg: string; fromPath?: boolean }> = [
  { name: 'tcpdump', need: 'required', purpose: 'captures', pkg: 'tcpdump' },
  { name: 'setpriv', need: 'required', purpose: 'runs tcpdump as you, and the helper as root', pkg: 'util-linux' },
  { name: 'nsenter', need: 'required', purpose: 'enters container namespaces', pkg: 'util-linux' },
  { name: 'ip', need: 'required', purpose: 'reads interfaces', pkg: 'iproute2' },
  { name: 'sudo', need: 'recommended', purpose: 'starts the helper from a terminal', pkg: 'sudo' },
  { name: 'pkexec', need: 'recommended', purpose: 'starts the helper on a desktop', pkg: 'pkexec' },
  { name: 'tshark', need: 'optional', purpose: 'reads captures in a terminal', pkg: 'tshark' },
  { name: 'wireshark', need: 'optional', purpose: 'opens captures ("Open in Wireshark")', pkg: 'wireshark', fromPath: true },
];

export function checkTools(findTool: (n: string) => string | null, env: NodeJS.ProcessEnv, root: boolean): { tools: Tool[]; problems: DiagnosticProblem[] } {
  const tools = TOOLS.map(({ pkg: _pkg, fromPath, ...t }) => ({ ...t, path: fromPath ? onPath(t.name, env) : findTool(t.name) }));
  const problems: DiagnosticProblem[] = [];
  for (const t of TOOLS) {
    const found = tools.find((x) => x.name === t.name)!.path;
    if (!found && t.need === 'required') problems.push({ area: 'tools', message: `${t.name} is not installed (${t.purpose})`, fix: `sudo apt install ${t.pkg}` });
  }
  if (!root && !tools.find((t) => t.name === 'sudo')!.path && !tools.find((t) => t.name === 'pkexec')!.path) {
    problems.push({ area: 'tools', message: 'neither sudo nor pkexec is installed: nothing can start the helper for you', fix: 'sudo apt install sudo pkexec   (as root: apt install sudo pkexec)' });
  }
  return { tools, problems };
}

function socketAnswers(path: string): Promise<{ ok: boolean; code?: string }> {
  return new Promise((resolve) => {
    const s = connect(path);
    const t = setTimeout(() => (s.destroy(), resolve({ ok: false, code: 'ETIMEDOUT' })), 1000);
    s.once('connect', () => (clearTimeout(t), s.destroy(), resolve({ ok: true })));
    s.once('error', (e: NodeJS.ErrnoException) => (clearTimeout(t), resolve({ ok: false, code: e.code })));
  });
}

export interface EngineDeps {
  env: NodeJS.ProcessEnv;
  /** Docker's ping through the backend's own client (DOCKER_HOST honoured). */
  dockerPing: () => Promise<unknown>;
  /** The helper can be started: a user the socket refuses still sees containers through it. */
  helperUsable: boolean;
  userName: string | null;
}

export async function checkEngines(d: EngineDeps): Promise<{ engines: Diagnostics['engines']; problems: DiagnosticProblem[] }> {
  const endpoint = dockerEndpoint(d.env);
  const problems: DiagnosticProblem[] = [];
  const engines: Diagnostics['engines'] = [];
  const ping = await Promise.race([
    d.dockerPing().then(
      () => null,
      (e: unknown) => e,
    ),
    new Promise((r) => setTimeout(() => r(Object.assign(new Error('Docker did not answer within 2 s'), { code: 'ETIMEDOUT' })), 2000).unref()),
  ]);
  if (ping === null) engines.push({ name: 'docker', endpoint, reachable: true, detail: 'answers' });
  else {
    const code = (ping as NodeJS.ErrnoException).code;
    const detail = describeDockerError(ping, endpoint).message;
    engines.push({ name: 'docker', endpoint, reachable: false, detail: code === 'EACCES' && d.helperUsable ? `${detail}; containers are listed through the helper (names, networks, PIDs)` : detail });
    if (code === 'EACCES' && !d.helperUsable) problems.push({ area: 'engines', message: `${detail}, and the helper that would list containers for you cannot start`, fix: 'install the helper (see the helper problem above), or: sudo adduser ' + (d.userName ?? '$USER') + ' docker (the docker group is equivalent to root)' });
    else if (code !== 'EACCES') problems.push({ area: 'engines', message: detail, fix: code === 'ENOENT' || code === 'ECONNREFUSED' ? 'start Docker (sudo systemctl start docker), or point DOCKER_HOST at its socket' : null });
  }
  // Other engines: their namespaces are found anyway; say whether their API answers.
  const others: Array<[string, string]> = [
    ['podman', '/run/podman/podman.sock'],
    ...(d.env.XDG_RUNTIME_DIR ? ([['podman (rootless)', join(d.env.XDG_RUNTIME_DIR, 'podman', 'podman.sock')]] as Array<[string, string]>) : []),
    ['containerd', '/run/containerd/containerd.sock'],
  ];
  for (const [name, path] of others) {
    if (!(await stat(path).catch(() => null))) continue;
    const r = await socketAnswers(path);
    engines.push({ name, endpoint: `unix://${path}`, reachable: r.ok, detail: r.ok ? 'answers' : `${r.code === 'EACCES' ? 'permission denied' : r.code}` });
  }
  return { engines, problems };
}

export async function checkCaptures(dir: string, userName: string | null): Promise<{ captures: Diagnostics['captures']; problems: DiagnosticProblem[] }> {
  const st = await stat(dir).catch(() => null);
  const canWrite = (p: string) => access(p, constants.W_OK | constants.X_OK).then(() => true, () => false);
  const writable = st ? st.isDirectory() && (await canWrite(dir)) : false;
  const problems: DiagnosticProblem[] = [];
  if (st && !st.isDirectory()) problems.push({ area: 'captures', message: `${dir} is not a folder`, fix: `choose another folder (vethscope capture -o DIR, or VETHSCOPE_CAPTURES_DIR)` });
  else if (st && !writable) problems.push({ area: 'captures', message: `you cannot write to ${dir} (owner uid ${st.uid}, mode ${(st.mode & 0o7777).toString(8)})`, fix: `sudo chown ${userName ?? '$USER'}: ${dir}` });
  else if (!st && !(await canWrite(dirname(dir)))) problems.push({ area: 'captures', message: `${dir} does not exist and you cannot create it in ${dirname(dir)}`, fix: `choose another folder (vethscope capture -o DIR, or VETHSCOPE_CAPTURES_DIR)` });
  return { captures: { dir, exists: st !== null, writable, owner: st?.uid ?? null, mode: st ? (st.mode & 0o7777).toString(8).padStart(4, '0') : null }, problems };
}
