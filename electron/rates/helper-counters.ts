// readCounters through the privileged helper (unprivileged backend).
// Expected reply (helper side owns the op; tolerant of either form per namespace):
//   { namespaces: [ { inode, procNetDev: "<text of /proc/net/dev inside>" } | { inode, error: {code,message} | string } ] }
import { z } from 'zod';
import { parseProcNetDev, type Counters } from './counters';
import type { PrivilegedCounterReader } from './sources';

export interface HelperLike {
  request(op: 'readCounters', params: { namespaces: Array<{ inode: number; path: string }> }): Promise<unknown>;
}

const Reply = z.object({
  namespaces: z.array(
    z.object({
      inode: z.number().int(),
      procNetDev: z.string().optional(),
      error: z.union([z.string(), z.object({ message: z.string() }).passthrough()]).optional(),
    }).passthrough(),
  ),
});

export function helperCounterReader(helper: HelperLike): PrivilegedCounterReader {
  return {
    async read(handles) {
      const reply = Reply.safeParse(await helper.request('readCounters', { namespaces: handles }));
      if (!reply.success) throw new Error(`helper readCounters: unexpected reply (${reply.error.issues[0]?.message ?? 'invalid'})`);
      const out = new Map<number, Map<string, Counters> | string>();
      for (const ns of reply.data.namespaces) {
        if (typeof ns.procNetDev === 'string') out.set(ns.inode, parseProcNetDev(ns.procNetDev));
        else out.set(ns.inode, typeof ns.error === 'string' ? ns.error : ns.error?.message ?? 'no counters');
      }
      return out;
    },
  };
}
