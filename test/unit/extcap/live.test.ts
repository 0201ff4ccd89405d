// "Open live in Wireshark" for a running capture: Wireshark started on the same targets
// through the extcap's multi-container interface (a stand-in `wireshark` on PATH records
// its arguments), or told plainly why not.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { liveTargets, openLive } from '../../../electron/backend/capture/wireshark-live';
import { launcherText } from '../../../electron/util/wireshark-extcap';
import type { CaptureInfo } from '../../../shared/capture';
import { tempDir } from '../../support/env';

function running(more: Partial<CaptureInfo> = {}): CaptureInfo {
  return { id: 'c1', state: 'running', reason: null, error: null, format: 'pcapng', filter: 'icmp', targets: [{ type: 'container', container: 'web-1', interfaces: ['eth0'] }, { type: 'host', iface: 'eth1' }, { type: 'netns', netns: 'blue', iface: 'veth0' }], interfaces: [], files: [], startedAt: '', endedAt: null, packets: 0, bytes: 0, dropped: 0, packetsPerSec: 0, bytesPerSec: 0, gaps: [], ...more };
}

describe('Open live in Wireshark', () => {
  let t: ReturnType<typeof tempDir>;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    t = tempDir('vsx-live-');
    const bin = t.path('bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'wireshark'), `#!/bin/sh\nprintf '%s\\n' "$@" > ${t.path('argv')}\n`, { mode: 0o755 });
    // tshark names this HOME's extcap folder (4.2's way).
    writeFileSync(join(bin, 'tshark'), `#!/bin/sh\nprintf 'Personal Extcap path:\\t%s\\n' "$HOME/extcap"\n`, { mode: 0o755 });
    env = { HOME: t.path('home'), PATH: `${bin}:/usr/bin:/bin`, DISPLAY: ':99' };
  });
  afterEach(() => t.remove());

  it("the capture's targets as the extcap takes them", () => {
    expect(liveTargets(running(), true)).toEqual({ targets: ['web-1', 'host:eth1', 'netns:blue:veth0'], interfaces: ['eth0'], filter: 'icmp', follow: true });
    expect(liveTargets(running({ filter: '', targets: [{ type: 'container', container: 'db' }] }), false)).toEqual({ targets: ['db'] });
  });

  it('with the extcap installed: wireshark -k -i vethscope with the targets by -o and the filter by -f', async () => {
    mkdirSync(t.path('home/extcap'), { recursive: true });
    const bundle = t.path('extcap.cjs');
    writeFileSync(bundle, '');
    writeFileSync(t.path('home/extcap/vethscope'), launcherText(process.execPath, bundle, '0.1.0'), { mode: 0o755 });
    const r = await openLive(running({ targets: [{ type: 'container', container: 'web-1' }, { type: 'container', container: 'db-1' }] }), false, env, join(t.path('bin'), 'tshark'));
    expect(r).toEqual({ launched: true });
    expect(readFileSync(t.path('argv'), 'utf8').trim().split('\n')).toEqual(['-k', '-i', 'vethscope', '-o', 'extcap.vethscope.containers:web-1,db-1', '-f', 'icmp']);
  });

  it('not installed where this Wireshark looks: says which command installs it; an ended capture opens its file instead', async () => {
    const r = await openLive(running(), false, env, join(t.path('bin'), 'tshark'));
    expect(r).toEqual({ launched: false, reason: expect.stringMatching(/not installed where this Wireshark looks: run vethscope extcap install --user/) });
    await expect(openLive(running({ state: 'stopped' }), false, env)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/Open in Wireshark opens its file/) });
  });

  it('no display where vethscope runs (browser mode on a server): not launched, and why', async () => {
    mkdirSync(t.path('home/extcap'), { recursive: true });
    writeFileSync(t.path('home/extcap/vethscope'), launcherText(process.execPath, process.execPath, '0.1.0'), { mode: 0o755 });
    const r = await openLive(running(), false, { ...env, DISPLAY: '' }, join(t.path('bin'), 'tshark'));
    expect(r).toMatchObject({ launched: false, reason: expect.stringMatching(/no display on the host vethscope runs on/) });
  });
});
