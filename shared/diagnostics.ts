// `getDiagnostics` (`vethscope doctor`): what a person asks when something does not work.
// How the app will elevate, whether the installed helper is safe, which engines answer,
// which tools are there, the captures folder, the group; every problem with its fix.
import * as z from 'zod';
import { builtOnFirstUse } from './lazy';

export const DiagnosticProblem = builtOnFirstUse(() => z.object({
  area: z.enum(['helper', 'group', 'engines', 'tools', 'captures', 'wireshark']),
  message: z.string(),
  /** The command (or action) that fixes it, when there is one. */
  fix: z.string().nullable(),
}));
export type DiagnosticProblem = z.infer<typeof DiagnosticProblem>;

export const Diagnostics = builtOnFirstUse(() => z.object({
  version: z.string(),
  user: z.object({ uid: z.number().int(), name: z.string().nullable(), groups: z.array(z.string()) }),
  helper: z.object({
    /** How it will be started from here; null when it cannot be (see problems). */
    argv: z.array(z.string()).nullable(),
    mode: z.enum(['root', 'sudo', 'pkexec']).nullable(),
    /** Which program runs as root: the installed helper or the bundle beside this code. */
    program: z.enum(['installed', 'checkout']).nullable(),
    installed: z.boolean(),
    /** Only root can change the installed helper, its interpreter and their folders. */
    trusted: z.boolean(),
    path: z.string().nullable(),
    interpreter: z.string().nullable(),
    installedBy: z.enum(['install-helper', 'debian-package']).nullable(),
    /** The group whose members start it without a password, and whether this process is in it. */
    group: z.string().nullable(),
    inGroup: z.boolean().nullable(),
    /** A helper of this backend is running now. */
    running: z.boolean(),
    problems: z.array(z.string()),
  }),
  engines: z.array(z.object({ name: z.string(), endpoint: z.string(), reachable: z.boolean(), detail: z.string() })),
  tools: z.array(z.object({ name: z.string(), path: z.string().nullable(), need: z.enum(['required', 'recommended', 'optional']), purpose: z.string() })),
  captures: z.object({ dir: z.string(), exists: z.boolean(), writable: z.boolean(), owner: z.number().int().nullable(), mode: z.string().nullable() }),
  /** Whether Wireshark (run by this user) will list vethscope's containers: its extcap folders and our launcher there. */
  wireshark: z
    .object({
      installed: z.boolean(),
      /** The extcap folders it reads (from `tshark -G folders`, or the global ones that exist). */
      folders: z.array(z.string()),
      /** vethscope's launcher in one of them. */
      extcap: z.string().nullable(),
      finds: z.boolean(),
      detail: z.string(),
    })
    .optional(),
  problems: z.array(DiagnosticProblem),
}));
export type Diagnostics = z.infer<typeof Diagnostics>;
