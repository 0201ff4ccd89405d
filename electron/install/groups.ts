// Group facts from /etc/group (the unprivileged side asks whether the user is in the
// helper's group; install-helper asks whether a group exists before it creates one).
import { readFileSync } from 'node:fs';

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

export function parseGroupFile(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 4 || !/^\d+$/.test(f[2]!)) continue;
    out.push({ name: f[0]!, gid: Number(f[2]), members: f[3]!.split(',').filter(Boolean) });
  }
  return out;
}

export function readGroups(path = '/etc/group'): GroupEntry[] {
  try {
    return parseGroupFile(readFileSync(path, 'utf8'));
  } catch {
    return [];
  }
}

export const findGroup = (name: string, groups: GroupEntry[] = readGroups()): GroupEntry | null => groups.find((g) => g.name === name) ?? null;

/**
 * Whether this process carries the group: what sudo checks (its default group_source is the
 * process's own list), so someone just added must log in again before it counts.
 */
export function processInGroup(name: string, groups: GroupEntry[] = readGroups(), gids: number[] = [...(process.getgroups?.() ?? []), process.getgid?.() ?? -1]): boolean {
  const g = findGroup(name, groups);
  return g !== null && gids.includes(g.gid);
}
