// Not root: the user's own rootless containers' namespaces are theirs to enter (see
// kernel/user-namespaces.ts). They join whatever scan we have, the helper's or our own.
import type { NamespaceScan, RawNamespace } from '../../../shared/helper-protocol';
import { ownNamespaces, readOwnNamespaces, type OwnNamespace } from '../../kernel/user-namespaces';

export interface OwnNamespaceReader {
  find(hostInode: number): OwnNamespace[];
  read(list: OwnNamespace[]): Promise<RawNamespace[]>;
}

export const realOwnNamespaces: OwnNamespaceReader = { find: (h) => ownNamespaces(h), read: readOwnNamespaces };

const UNPRIVILEGED = 'not running as root: only the host namespace was read';

/** The scan with every namespace of ours it could not read (or did not know) read as ourselves. */
export async function withOwnNamespaces(scan: NamespaceScan, reader: OwnNamespaceReader = realOwnNamespaces): Promise<NamespaceScan> {
  const byInode = new Map(scan.namespaces.map((n) => [n.inode, n]));
  const wanted = reader.find(scan.hostInode).filter((o) => {
    const known = byInode.get(o.raw.inode);
    return !known || known.links.length === 0;
  });
  if (wanted.length === 0) return scan;
  let added = 0;
  for (const r of await reader.read(wanted)) {
    const known = byInode.get(r.inode);
    if (r.error && known) continue; // keep the scan's own reason
    if (!r.error) added++;
    if (!known) {
      byInode.set(r.inode, r);
      continue;
    }
    known.links = r.links;
    known.error = null;
    known.source = r.source;
    for (const p of r.paths) if (!known.paths.includes(p)) known.paths.push(p);
    for (const n of r.netnsNames) if (!known.netnsNames.includes(n)) known.netnsNames.push(n);
  }
  const warnings = added ? scan.warnings.map((w) => (w === UNPRIVILEGED ? 'not running as root: only the host namespace and your own rootless containers were read' : w)) : scan.warnings;
  return { ...scan, namespaces: [...byInode.values()], warnings };
}
