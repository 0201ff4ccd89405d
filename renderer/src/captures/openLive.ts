// What a running capture offers for Wireshark: "Open live in Wireshark" on the host vethscope
// runs on (Wireshark there captures the same targets through vethscope's extcap), or, where
// nothing can open a window there (browser mode on a server), the plain truth that Wireshark
// is on another machine, with the file to take there. Pure, so it is tested without a DOM.
import type { BackendStatus } from '../../../shared/api';

export type LiveOffer =
  | { kind: 'open'; enabled: boolean; title: string }
  /** Browser mode, and no window can open where vethscope runs: Wireshark is elsewhere. */
  | { kind: 'elsewhere'; message: string };

export const WIRESHARK_DOWNLOAD = 'https://www.wireshark.org/download.html';

export function liveOffer(mode: 'electron' | 'browser', launchers: BackendStatus['launchers'] | null): LiveOffer {
  if (!launchers) return { kind: 'open', enabled: false, title: 'Checking whether Wireshark can be started…' };
  const nothingOpens = !launchers.wireshark && !launchers.fileManager;
  if (mode === 'browser' && nothingOpens)
    return {
      kind: 'elsewhere',
      // The reason's first clause ("no display on the host vethscope runs on (...)"); its advice is this offer.
      message: `Wireshark is on another machine: it cannot open where vethscope runs (${(launchers.reason ?? 'no display').split(':')[0]}). Stop the capture and download its file to open it in your Wireshark.`,
    };
  if (!launchers.wireshark) return { kind: 'open', enabled: false, title: launchers.reason ?? 'Wireshark is not installed on the host vethscope runs on' };
  return { kind: 'open', enabled: true, title: "Start Wireshark on the same targets, live (through vethscope's extcap)" };
}
