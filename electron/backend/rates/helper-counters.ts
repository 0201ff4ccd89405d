// readCounters through the privileged helper (unprivileged backend).
// The helper (electron/root-helper/ops.ts) replies
//   { namespaces: [ { inode, error: {code,message} | null, links: [ {ifname, ifindex, rxBytes, rxPackets, rxDropped, txBytes, txPackets, txDropped} ] } ] }
// (`ip -s -j link` inside). Errors are not in its reply: they read as 0.
import * as z from 'zod';
import type { Counters } from '../../kernel/proc-net-dev';
import type { PrivilegedCounterReader } from './sources';

export interface HelperLike {
  request(op: 'readCounters', params: { namespaces: Array<{ inode: number; path: string }> }): Promise<unknown>;
}

const n = z.number().nonnegative().catch(0);
const Link = z.object({
  ifname: z.string(),
  rxBytes: n, rxPackets: n, rxDropped: n, rxErrors: n.optional(),
  txBytes: n, txPackets: n, txDropped: n, txErrors: n.optional(),
});
const Reply = z.object({
  namespaces: z.array(
    z.object({
      inode: z.number().int(),
      error: z.object({ message: z.string() }).passthrough().nullable().optional(),
      links: z.array(Link).default([]),
    }),
  ),
});

export function helperCounterReader(helper: HelperLike): PrivilegedCounterReader {
  return {
    async read(handles) {
      const reply = Reply.safeParse(await helper.request('readCounters', { namespaces: handles }));
      if (!reply.success) throw new Error(`helper readCounters: unexpected reply (${reply.error.issues[0]?.message ?? 'invalid'})`);
      const out = new Map<number, Map<string, Counters> | string>();
      for (const ns of reply.data.namespaces) {
        if (ns.error) {
          out.set(ns.inode, ns.error.message);
          continue;
        }
        const m = new Map<string, Counters>();
        for (const l of ns.links)
          m.set(l.ifname, { rxBytes: l.rxBytes, rxPackets: l.rxPackets, rxErrors: l.rxErrors ?? 0, rxDropped: l.rxDropped, txBytes: l.txBytes, txPackets: l.txPackets, txErrors: l.txErrors ?? 0, txDropped: l.txDropped });
        out.set(ns.inode, m);
      }
      return out;
    },
  };
}
