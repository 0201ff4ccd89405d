// "Reveal in folder" and "Open in Wireshark" open windows on the host vethscope runs on:
// without a display there they say so (issue 14: browser mode on a host with no display
// reported success), and a launcher that fails at once is not a launch.
import { chmodSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { launch, launchers } from '../../../../electron/backend/capture/launchers';
import { tempDir } from '../../../support/env';

const bin = tempDir('vsu-launchers-');
afterAll(() => bin.remove());
function fake(name: string, script: string) {
  writeFileSync(bin.path(name), `#!/bin/sh\n${script}\n`);
  chmodSync(bin.path(name), 0o755);
}
fake('xdg-open', 'exit 3');
fake('wireshark', 'exec sleep 2');
const withDisplay = { PATH: `${bin.dir}:/usr/bin:/bin`, DISPLAY: ':0' };
const headless = { PATH: `${bin.dir}:/usr/bin:/bin` };

describe('launchers', () => {
  it('without a display nothing can be launched, and the status says why', async () => {
    expect(launchers(headless)).toEqual({ wireshark: false, fileManager: false, reason: expect.stringMatching(/no display .*\$DISPLAY and \$WAYLAND_DISPLAY are unset/) });
    const r = await launch('xdg-open', '/tmp', headless);
    expect(r).toEqual({ launched: false, reason: expect.stringMatching(/no display/) });
  });

  it('with a display: what is installed', () => {
    expect(launchers(withDisplay)).toEqual({ wireshark: true, fileManager: true });
    expect(launchers({ DISPLAY: ':0', PATH: '/nonexistent' })).toEqual({ wireshark: false, fileManager: false, reason: 'not installed: Wireshark, xdg-open (a file manager)' });
    expect(launchers({ WAYLAND_DISPLAY: 'wayland-0', PATH: bin.dir }).fileManager).toBe(true);
  });

  it('a launcher that fails at once (xdg-open finding no file manager) is not launched, and says so', async () => {
    expect(await launch('xdg-open', '/tmp', withDisplay, 5000)).toEqual({ launched: false, reason: 'xdg-open failed (exit 3)' });
    expect(await launch('nothere', '/tmp', withDisplay)).toEqual({ launched: false, reason: 'nothere is not installed (not found on PATH)' });
  });

  it('one still running after a moment (a window opened) is launched', async () => {
    expect(await launch('wireshark', '/tmp/x.pcapng', withDisplay, 200)).toEqual({ launched: true });
  });
});
