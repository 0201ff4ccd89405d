// What was installed, so `install-helper --remove` removes exactly that and the app
// knows which group rule exists (the sudoers drop-in itself is root-only to read).
// World-readable JSON beside the helper; the Debian package ships one too
// (installedBy 'debian-package'), which install-helper leaves to apt.
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { builtOnFirstUse } from '../../shared/lazy';

export const InstallManifest = builtOnFirstUse(() => z.object({
  format: z.literal(1),
  installedBy: z.enum(['install-helper', 'debian-package']),
  version: z.string(),
  helper: z.string(),
  /** The interpreter named in the helper's first line. */
  interpreter: z.string(),
  /** The group whose members may start the helper without a password, if any. */
  group: z.string().nullable(),
  /** Every file written, with its content's sha256 (null: not checked, e.g. the package's). */
  files: z.array(z.object({ path: z.string(), sha256: z.string().nullable() })),
  /** Folders created, removed again (when empty) deepest first. */
  dirs: z.array(z.string()),
  /** Groups created, deleted on --remove. */
  createdGroups: z.array(z.string()),
}));
export type InstallManifest = z.infer<typeof InstallManifest>;

export type ManifestRead = { kind: 'absent' } | { kind: 'invalid'; message: string } | { kind: 'ok'; manifest: InstallManifest };

export function parseManifest(text: string): ManifestRead {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { kind: 'invalid', message: `not JSON: ${(e as Error).message}` };
  }
  const r = InstallManifest.safeParse(json);
  if (!r.success) return { kind: 'invalid', message: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  return { kind: 'ok', manifest: r.data };
}

export function readManifest(path: string): ManifestRead {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    return { kind: 'invalid', message: `cannot read ${path}: ${(e as NodeJS.ErrnoException).code}` };
  }
  return parseManifest(text);
}

export const manifestText = (m: InstallManifest): string => JSON.stringify(InstallManifest.parse(m), null, 2) + '\n';
