// npm start's decision: desktop window or browser mode, and the reason it prints.
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { decideLaunch, findElectron } from '../../../scripts/start.mjs';

const bin = { binary: '/opt/electron/electron' };

describe('decideLaunch', () => {
  it('opens the window only with a binary, a display and a non-root user', () => {
    expect(decideLaunch({ electron: bin, env: { DISPLAY: ':0' }, uid: 1000 })).toEqual({ mode: 'electron', binary: bin.binary });
    expect(decideLaunch({ electron: bin, env: { WAYLAND_DISPLAY: 'wayland-0' }, uid: 1000 }).mode).toBe('electron');
  });
  it('falls back to browser mode with a reason', () => {
    expect(decideLaunch({ electron: { error: 'no Electron binary (x)' }, env: { DISPLAY: ':0' }, uid: 1000 })).toEqual({ mode: 'browser', reason: 'no Electron binary (x)' });
    expect(decideLaunch({ electron: bin, env: {}, uid: 1000 }).reason).toMatch(/no display/);
    expect(decideLaunch({ electron: bin, env: { DISPLAY: ':0' }, uid: 0 }).reason).toMatch(/root/);
  });
});

describe('findElectron', () => {
  it('reports this machine honestly (no binary is downloaded here)', () => {
    const found = findElectron();
    if ('binary' in found) expect(found.binary).toMatch(/electron/);
    else expect(found.error).toMatch(/Electron binary/);
  });
});
