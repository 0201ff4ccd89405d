// LXC and systemd-nspawn name their containers on their monitor's command line, which
// everyone may read: `[lxc monitor] LXCPATH NAME`, `systemd-nspawn ... -M NAME`. With
// machined, /run/systemd/machines/NAME names each container's leader too.
import { basename } from 'node:path';
import { initChild, netnsOfPid, type Found, type NamerContext } from './found';
import { argvOf, flagValue, uidOf } from './processes';

/** `[lxc monitor] /var/lib/lxc web`: argv[0] holds all three (LXC rewrites its title). */
export function parseLxcMonitor(argv: string[]): { lxcpath: string; name: string } | null {
  const m = /^\[lxc monitor\] (\/\S*) (\S+)$/.exec(argv.join(' ').trim());
  return m ? { lxcpath: m[1]!, name: m[2]! } : null;
}

export function lxcContainer(ctx: NamerContext, monitorPid: number): Found | null {
  const parsed = parseLxcMonitor(argvOf(ctx.files, monitorPid));
  const pid = parsed ? initChild(ctx, monitorPid) : null;
  if (!parsed || pid === null) return null;
  return { engine: 'lxc', id: parsed.name, name: parsed.name, image: null, pod: null, infra: false, pid, netns: netnsOfPid(ctx, pid), uid: uidOf(ctx.files, monitorPid) ?? 0, compose: null };
}

/** The machine name nspawn uses: -M/--machine, else the basename of -D/--directory or -i/--image. */
export function nspawnMachineName(argv: string[]): string | null {
  const explicit = flagValue(argv, '-M', '--machine');
  if (explicit) return explicit;
  const dir = flagValue(argv, '-D', '--directory') ?? flagValue(argv, '-i', '--image');
  if (!dir) return null;
  const base = basename(dir.replace(/\/+$/, ''));
  return base.replace(/\.raw$/, '') || null;
}

export function nspawnContainer(ctx: NamerContext, nspawnPid: number): Found | null {
  const argv = argvOf(ctx.files, nspawnPid);
  const name = nspawnMachineName(argv);
  const pid = name ? initChild(ctx, nspawnPid) : null;
  if (!name || pid === null) return null;
  return { engine: 'nspawn', id: name, name, image: null, pod: null, infra: false, pid, netns: netnsOfPid(ctx, pid), uid: uidOf(ctx.files, nspawnPid) ?? 0, compose: null };
}

/** machined's records (`LEADER=PID`, `CLASS=container`): machines started by machinectl or a unit. */
export function machinedContainers(ctx: NamerContext): Found[] {
  const out: Found[] = [];
  for (const name of ctx.files.list('/run/systemd/machines')) {
    if (name.startsWith('unit:') || name.startsWith('.')) continue;
    const text = ctx.files.read(`/run/systemd/machines/${name}`, { owner: 0, maxBytes: 64 * 1024 });
    if (!text) continue;
    const field = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(text)?.[1] ?? null;
    const leader = Number(field('LEADER'));
    if (field('CLASS') !== 'container' || !Number.isInteger(leader) || leader <= 0 || !ctx.table.byPid.has(leader)) continue;
    const service = field('SERVICE');
    const engine = service === 'libpod' ? 'podman' : service === 'lxc' ? 'lxc' : 'nspawn';
    out.push({ engine, id: name, name: field('NAME') ?? name, image: null, pod: null, infra: false, pid: leader, netns: netnsOfPid(ctx, leader), uid: 0, compose: null });
  }
  return out;
}
