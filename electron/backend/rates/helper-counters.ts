// readCounters through the privileged helper (unprivileged backend): `ip -s -j link`
// inside each namespace, the reply typed by the helper protocol.
import type { HelperParams, HelperResult } from '../../../shared/helper-protocol';
import type { Counters } from '../../kernel/proc-net-dev';
import type { PrivilegedCounterReader } from './sources';

export interface HelperLike {
  request(op: 'readCounters', params: HelperParams<'readCounters'>): Promise<HelperResult<'readCounters'>>;
}

export function helperCounterReader(helper: HelperLike): PrivilegedCounterReader {
  return {
    async read(handles) {
      const reply = await helper.request('readCounters', { namespaces: handles });
      const out = new Map<number, Map<string, Counters> | string>();
      for (const ns of reply.namespaces) {
        if (ns.error) {
          out.set(ns.inode, ns.error.message);
          continue;
        }
        const m = new Map<string, Counters>();
        for (const l of ns.links)
          m.set(l.ifname, { rxBytes: l.rxBytes, rxPackets: l.rxPackets, rxErrors: l.rxErrors, rxDropped: l.rxDropped, txBytes: l.txBytes, txPackets: l.txPackets, txErrors: l.txErrors, txDropped: l.txDropped });
        out.set(ns.inode, m);
      }
      return out;
    },
  };
}
