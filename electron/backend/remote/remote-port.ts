// The HelperPort the capture service talks to, with remote hosts: interfaces whose spec
// names a host go to RemoteCaptures (ssh), the rest to the port underneath (the local
// helper). One capture may hold both: each side starts its own, replies are put back in
// the order asked, and the two index ranges never meet (REMOTE_INDEX_BASE).
import type { HelperEvent, HelperEventData, HelperOp, HelperParams, HelperResult } from '../../../shared/helper-protocol';
import type { HelperPort } from '../capture/helper-port';
import type { RemoteCaptures, RemoteSpec } from './remote-capture';

export function withRemoteCaptures(inner: HelperPort, remote: RemoteCaptures): HelperPort {
  /** Captures that also run local tcpdumps (those end with the helper). */
  const withLocalParts = new Set<string>();
  const request = async <O extends HelperOp>(op: O, params: HelperParams<O>): Promise<HelperResult<O>> => {
    if (op === 'startCapture') {
      const p = params as HelperParams<'startCapture'>;
      const specs = p.ifaces as RemoteSpec[];
      const far = specs.filter((s) => s.host);
      if (!far.length) return inner.request(op, params);
      const near = specs.filter((s) => !s.host);
      if (near.length) withLocalParts.add(p.captureId);
      const farStarted = await remote.start({ ...(p as Parameters<RemoteCaptures['start']>[0]), ifaces: far });
      let nearStarted: HelperResult<'startCapture'> | null = null;
      try {
        if (near.length) nearStarted = await inner.request('startCapture', { ...p, ifaces: near });
      } catch (e) {
        await remote.stop(p.captureId).catch(() => undefined);
        throw e;
      }
      const farQ = [...farStarted.ifaces];
      const nearQ = [...(nearStarted?.ifaces ?? [])];
      return { captureId: p.captureId, ifaces: specs.map((s) => (s.host ? farQ.shift()! : nearQ.shift()!)) } as HelperResult<O>;
    }
    if (op === 'attachInterface') {
      const p = params as HelperParams<'attachInterface'>;
      if ((p.iface as RemoteSpec).host) return (await remote.attach(p.captureId, p.iface as RemoteSpec)) as HelperResult<O>;
    }
    if (op === 'stopCapture') {
      const p = params as HelperParams<'stopCapture'>;
      if (remote.has(p.captureId)) {
        withLocalParts.delete(p.captureId);
        const far = await remote.stop(p.captureId);
        const near = await inner.request('stopCapture', p).catch(() => null);
        return { captureId: p.captureId, ifaces: [...(near?.ifaces ?? []), ...far.ifaces] } as HelperResult<O>;
      }
    }
    return inner.request(op, params);
  };
  return {
    request,
    on<E extends HelperEvent>(event: E, listener: (data: HelperEventData<E>) => void): () => void {
      const offs = [inner.on(event, listener), remote.on(event, listener)];
      return () => offs.forEach((off) => off());
    },
    status: () => inner.status(),
    onExitEvent: (listener) => inner.onExitEvent(listener),
    start: () => inner.start(),
    // A capture wholly on remote hosts runs over ssh, not through the local helper: its exit does not end it.
    runsWithoutHelper: (captureId) => (remote.has(captureId) && !withLocalParts.has(captureId)) || (inner.runsWithoutHelper?.(captureId) ?? false),
  };
}
