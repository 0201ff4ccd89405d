// The preload exposes exactly { call, on } and is self-contained (only 'electron' required).
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { IPC_CALL, IPC_EVENT } from '../../../../shared/api';
import { exposedApi } from '../../../../electron/front-doors/preload/api';

function fakeIpc() {
  const listeners = new Map<string, Set<(...a: unknown[]) => void>>();
  const invoked: unknown[][] = [];
  return {
    invoked,
    listeners,
    emit: (channel: string, ...args: unknown[]) => listeners.get(channel)?.forEach((l) => l({ sender: 'SECRET' }, ...args)),
    invoke: async (...args: unknown[]) => (invoked.push(args), { ok: true, result: 'x' }),
    on(channel: string, l: (...a: unknown[]) => void) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(l);
      return this;
    },
    removeListener(channel: string, l: (...a: unknown[]) => void) {
      listeners.get(channel)?.delete(l);
      return this;
    },
  };
}

describe('exposedApi', () => {
  it('has exactly call and on, frozen', () => {
    const api = exposedApi(fakeIpc() as never);
    expect(Object.keys(api).sort()).toEqual(['call', 'on']);
    expect(Object.isFrozen(api)).toBe(true);
  });
  it('call goes over IPC_CALL for known methods only', async () => {
    const ipc = fakeIpc();
    const api = exposedApi(ipc as never);
    expect(await api.call('getTopology', {})).toEqual({ ok: true, result: 'x' });
    expect(await api.call('rmRf' as never, {} as never)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(ipc.invoked).toEqual([[IPC_CALL, 'getTopology', {}]]);
  });
  it('on accepts known events only, passes only the payload, and unsubscribes', () => {
    const ipc = fakeIpc();
    const api = exposedApi(ipc as never);
    expect(() => api.on('nope' as never, () => {})).toThrow(/unknown event/);
    expect(() => api.on('rates', 'x' as never)).toThrow(/function/);
    const got: unknown[][] = [];
    const off = api.on('capture', (...args: unknown[]) => got.push(args));
    ipc.emit(IPC_EVENT, 'rates', { r: 1 });
    ipc.emit(IPC_EVENT, 'capture', { id: 'c1' });
    off();
    ipc.emit(IPC_EVENT, 'capture', { id: 'c2' });
    expect(got).toEqual([[{ id: 'c1' }]]);
    expect(ipc.listeners.get(IPC_EVENT)?.size).toBe(0);
  });
});

describe('the preload bundle', () => {
  it('requires only electron and exposes only window.vethscope = {call, on}', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vss-preload-'));
    try {
      const outfile = path.join(dir, 'preload.cjs');
      // Same options as scripts/build.mjs's preload entry.
      await build({ bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'silent', entryPoints: ['electron/front-doors/preload/preload.ts'], outfile, external: ['electron'] });
      const code = readFileSync(outfile, 'utf8');
      const required: string[] = [];
      const exposed: Array<[string, unknown]> = [];
      const electron = { contextBridge: { exposeInMainWorld: (k: string, v: unknown) => exposed.push([k, v]) }, ipcRenderer: fakeIpc() };
      // A sandboxed preload's require knows 'electron' (and a few polyfills); anything else must not be needed.
      const sandboxRequire = (id: string) => {
        required.push(id);
        if (id === 'electron') return electron;
        throw new Error(`sandboxed preload cannot require ${id}`);
      };
      const module = { exports: {} };
      vm.runInNewContext(code, { require: sandboxRequire, module, exports: module.exports, console });
      expect(required).toEqual(['electron']);
      expect(exposed.map(([k]) => k)).toEqual(['vethscope']);
      expect(Object.keys(exposed[0]![1] as object).sort()).toEqual(['call', 'on']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
