// runMain's wiring, driven with fake Electron objects: what main.ts does on a real Electron.
import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { IPC_CALL, IPC_EVENT } from '../../../../shared/api';
import { createServices, type Services } from '../../../../electron/backend/create-backend';
import { runMain } from '../../../../electron/front-doors/desktop/app';
import { serveAppRequest } from '../../../../electron/front-doors/desktop/app-protocol';
import { RENDERER_URL } from '../../../../electron/front-doors/desktop/security';
import { hostOnlyScanner } from '../../topology-fixtures';

class FakeContents extends EventEmitter {
  sent: unknown[][] = [];
  openHandler?: (d: { url: string }) => { action: string };
  send(...args: unknown[]) {
    this.sent.push(args);
  }
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }) {
    this.openHandler = h;
  }
}

function fakeElectron() {
  const app = Object.assign(new EventEmitter(), {
    sandboxed: false,
    quitCalls: 0,
    enableSandbox() {
      this.sandboxed = true;
    },
    requestSingleInstanceLock: () => true,
    quit() {
      this.quitCalls++;
    },
    whenReady: () => Promise.resolve(),
  });
  const windows: Array<{ options: any; url?: string; webContents: FakeContents }> = [];
  class BrowserWindow extends EventEmitter {
    webContents = new FakeContents();
    url?: string;
    constructor(public options: any) {
      super();
      windows.push(this);
      app.emit('web-contents-created', {}, this.webContents);
    }
    isDestroyed = () => false;
    show() {}
    focus() {}
    async loadURL(url: string) {
      this.url = url;
    }
  }
  const handlers = new Map<string, (...a: any[]) => any>();
  const ipcMain = { handle: (ch: string, h: any) => handlers.set(ch, h), removeHandler: (ch: string) => handlers.delete(ch) };
  const schemes: unknown[] = [];
  const protocolHandlers = new Map<string, (req: any) => Promise<Response>>();
  const protocol = { registerSchemesAsPrivileged: (s: unknown[]) => schemes.push(...s), handle: (s: string, h: any) => protocolHandlers.set(s, h) };
  const ses: any = {
    setPermissionRequestHandler: (h: any) => (ses.permissionRequest = h),
    setPermissionCheckHandler: (h: any) => (ses.permissionCheck = h),
    webRequest: { onHeadersReceived: (h: any) => (ses.headers = h) },
  };
  return { app, BrowserWindow, ipcMain, protocol, session: { defaultSession: ses }, windows, handlers, schemes, protocolHandlers, ses };
}

const tmp = mkdtempSync(path.join(tmpdir(), 'vss-app-'));
mkdirSync(path.join(tmp, 'renderer'));
writeFileSync(path.join(tmp, 'renderer', 'index.html'), '<title>vss</title>');
writeFileSync(path.join(tmp, 'secret.txt'), 'vss-secret');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('runMain', () => {
  it('wires a hardened window, the app:// protocol, IPC and events', async () => {
    const e = fakeElectron();
    let services!: Services;
    runMain(e as never, { distDir: tmp, createBackend: (o) => (services = createServices({ ...o, env: { DOCKER_HOST: 'unix:///nonexistent/vss.sock' }, scanner: hostOnlyScanner() })).backend });
    await vi.waitFor(() => expect(e.windows[0]?.url).toBe(RENDERER_URL));
    expect(e.app.sandboxed).toBe(true);
    expect(e.schemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

    const win = e.windows[0]!;
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(win.options.webPreferences.preload).toBe(path.join(tmp, 'preload.cjs'));

    // Navigation, new windows, webviews: refused.
    const nav = { url: 'https://evil.example/', preventDefault: vi.fn() };
    win.webContents.emit('will-navigate', nav);
    expect(nav.preventDefault).toHaveBeenCalled();
    const redirect = { url: 'http://evil.example/', preventDefault: vi.fn() };
    win.webContents.emit('will-redirect', redirect);
    expect(redirect.preventDefault).toHaveBeenCalled();
    const webview = { preventDefault: vi.fn() };
    win.webContents.emit('will-attach-webview', webview);
    expect(webview.preventDefault).toHaveBeenCalled();
    expect(win.webContents.openHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });

    // Permissions denied; CSP added to every response.
    const answer = vi.fn();
    e.ses.permissionRequest({}, 'media', answer);
    expect(answer).toHaveBeenCalledWith(false);
    expect(e.ses.permissionCheck({}, 'notifications')).toBe(false);
    const cb = vi.fn();
    e.ses.headers({ responseHeaders: { a: ['b'] } }, cb);
    expect(cb.mock.calls[0]![0].responseHeaders['Content-Security-Policy'][0]).toContain("script-src 'self'");

    // IPC: trusted renderer frame only.
    const call = e.handlers.get(IPC_CALL)!;
    expect(await call({ senderFrame: { url: 'https://evil.example/', parent: null } }, 'getTopology', {})).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect((await call({ senderFrame: { url: RENDERER_URL, parent: null } }, 'getTopology', {})).ok).toBe(true);

    // Backend events reach the window over IPC_EVENT.
    const sample = { time: 1, intervalSec: 1, interfaces: [], containers: [] };
    services.backend.emit('rates', sample);
    // (The live topology watcher may push its own 'topology' event too: look only at ours.)
    expect(win.webContents.sent.filter(([, event]) => event === 'rates')).toEqual([[IPC_EVENT, 'rates', sample]]);
    expect(win.webContents.sent.every(([channel]) => channel === IPC_EVENT)).toBe(true);

    // app:// serves the renderer, never outside it.
    const serve = e.protocolHandlers.get('app')!;
    const page = await serve({ url: RENDERER_URL, method: 'GET' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");

    // Quitting closes the backend first, then quits again.
    const closeSpy = vi.spyOn(services.backend, 'close');
    const quitEvent = { preventDefault: vi.fn() };
    e.app.emit('will-quit', quitEvent);
    expect(quitEvent.preventDefault).toHaveBeenCalled();
    await vi.waitFor(() => expect(e.app.quitCalls).toBe(1));
    expect(closeSpy).toHaveBeenCalledOnce();
    expect(e.handlers.has(IPC_CALL)).toBe(false);
  });
});

describe('serveAppRequest', () => {
  const dir = path.join(tmp, 'renderer');
  it('serves index.html with the CSP and refuses traversal and other hosts', async () => {
    const ok = await serveAppRequest(dir, { url: 'app://vethscope/', method: 'GET' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await ok.text()).toContain('vss');
    for (const url of ['app://vethscope/..%2fsecret.txt', 'app://vethscope/%2e%2e%2fsecret.txt', 'app://vethscope/..%5csecret.txt']) {
      const r = await serveAppRequest(dir, { url, method: 'GET' });
      expect(await r.text(), url).not.toContain('vss-secret');
      expect(r.status, url).toBe(400);
    }
    expect((await serveAppRequest(dir, { url: 'app://other/index.html', method: 'GET' })).status).toBe(404);
    expect((await serveAppRequest(dir, { url: 'app://vethscope/', method: 'POST' })).status).toBe(405);
  });
});
