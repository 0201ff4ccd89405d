// What a running capture offers for Wireshark in the UI (renderer/src/captures/openLive.ts):
// the live button where a window can open on the host vethscope runs on; in browser mode on a
// host with no display, the plain truth that Wireshark is on another machine, and the file.
import { describe, expect, it } from 'vitest';
import { liveOffer } from '../../../renderer/src/captures/openLive';

const noDisplay = 'no display on the host vethscope runs on ($DISPLAY and $WAYLAND_DISPLAY are unset): nothing can open a window there; use Save as… to download the file';

describe('liveOffer', () => {
  it('a desktop with Wireshark: the live button', () => {
    expect(liveOffer('electron', { wireshark: true, fileManager: true })).toMatchObject({ kind: 'open', enabled: true });
    expect(liveOffer('browser', { wireshark: true, fileManager: true })).toMatchObject({ kind: 'open', enabled: true });
  });

  it('browser mode on a headless host: Wireshark is on another machine, said plainly', () => {
    const offer = liveOffer('browser', { wireshark: false, fileManager: false, reason: noDisplay });
    expect(offer).toEqual({ kind: 'elsewhere', message: 'Wireshark is on another machine: it cannot open where vethscope runs (no display on the host vethscope runs on ($DISPLAY and $WAYLAND_DISPLAY are unset)). Stop the capture and download its file to open it in your Wireshark.' });
  });

  it('Wireshark missing on a desktop: the button, off, saying why', () => {
    expect(liveOffer('electron', { wireshark: false, fileManager: true, reason: 'not installed: Wireshark' })).toEqual({ kind: 'open', enabled: false, title: 'not installed: Wireshark' });
    expect(liveOffer('electron', null)).toMatchObject({ kind: 'open', enabled: false });
  });
});
