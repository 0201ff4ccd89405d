// The HelperPort the capture service talks to: captures whose every interface is in one of
// the user's own rootless containers run as the user (rootless-tcpdump.ts); everything else
// goes to the privileged helper. A capture mixing both is refused with what to do instead.
import type { HelperEvent, HelperEventData, HelperOp, HelperParams, HelperResult } from '../../../shared/helper-protocol';
import { CodedError } from '../../../shared/result';
import type { HelperPort } from './helper-port';
import { RootlessCaptures } from './rootless-tcpdump';

export function withRootlessCaptures(helper: HelperPort, rootless = new RootlessCaptures()): HelperPort & { stopRootless(): Promise<void> } {
  const request = async <O extends HelperOp>(op: O, params: HelperParams<O>): Promise<HelperResult<O>> => {
    if (op === 'startCapture') {
      const p = params as HelperParams<'startCapture'>;
      const mine = p.ifaces.filter((s) => rootless.canTake(s));
      if (mine.length === p.ifaces.length) return (await rootless.start({ immediate: true, ...p })) as HelperResult<O>;
      if (mine.length > 0)
        throw new CodedError('UNSUPPORTED', `${mine.map((s) => s.iface).join(', ')} ${mine.length === 1 ? 'is' : 'are'} in your own rootless containers (captured as you) and the rest needs the privileged helper: capture them in two captures`);
    }
    if (op === 'attachInterface') {
      const p = params as HelperParams<'attachInterface'>;
      if (rootless.has(p.captureId)) return (await rootless.attach(p.captureId, p.iface)) as HelperResult<O>;
    }
    if (op === 'stopCapture') {
      const p = params as HelperParams<'stopCapture'>;
      if (rootless.has(p.captureId)) return (await rootless.stop(p.captureId)) as HelperResult<O>;
    }
    return helper.request(op, params);
  };
  return {
    request,
    on<E extends HelperEvent>(event: E, listener: (data: HelperEventData<E>) => void): () => void {
      const offs = [helper.on(event, listener), rootless.on(event, listener)];
      return () => offs.forEach((off) => off());
    },
    status: () => helper.status(),
    onExitEvent: (listener) => helper.onExitEvent(listener),
    start: () => helper.start(),
    runsWithoutHelper: (captureId) => rootless.has(captureId) || (helper.runsWithoutHelper?.(captureId) ?? false),
    stopRootless: () => rootless.stopAll(),
  };
}
