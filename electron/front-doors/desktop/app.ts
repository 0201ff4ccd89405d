// Electron main process wiring. Everything that decides something lives in the pure
// modules beside this one; this file only connects them to Electron's objects, which
// are passed in (main.ts passes the real module, tests pass fakes).
import path from 'node:path';
import type * as Electron from 'electron';
import { IPC_CALL, IPC_EVENT } from '../../../shared/api-names';
import { createBackend, type BackendOptions } from '../../backend/create-backend';
import type { Backend } from '../../backend/backend';
import { serveAppRequest } from './app-protocol';
import { forwardEvents, makeIpcCallHandler } from './ipc';
import { APP_SCHEME, contentSecurityPolicy, isAllowedNavigation, isTrustedSender, RENDERER_URL, secureWindowOptions } from './security';

export type ElectronModule = Pick<typeof Electron, 'app' | 'BrowserWindow' | 'ipcMain' | 'protocol' | 'session'>;

export interface MainOptions {
  /** Directory of dist/main.cjs: preload.cjs and renderer/ sit beside it. */
  distDir: string;
  createBackend?: (opts: BackendOptions) => Backend;
}

/** Refuse navigation, new windows and <webview> in every WebContents the app ever creates. */
export function hardenWebContents(contents: Electron.WebContents): void {
  const guard = (event: { preventDefault(): void; url: string }) => {
    if (!isAllowedNavigation(event.url)) event.preventDefault();
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export function runMain(e: ElectronModule, opts: MainOptions): void {
  const { app, BrowserWindow, ipcMain, protocol, session } = e;
  app.enableSandbox();
  // Must happen before 'ready': a standard, secure scheme gets a real origin, so 'self' in the CSP means it.
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }

  let backend: Backend | undefined;
  let win: Electron.BrowserWindow | undefined;
  app.on('second-instance', () => {
    if (win && !win.isDestroyed()) win.focus();
  });

  void app.whenReady().then(async () => {
    const b = (backend = (opts.createBackend ?? createBackend)({}));
    const rendererDir = path.join(opts.distDir, 'renderer');
    protocol.handle(APP_SCHEME, (request) => serveAppRequest(rendererDir, request));

    const ses = session.defaultSession;
    ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    ses.setPermissionCheckHandler(() => false);
    ses.webRequest.onHeadersReceived((details, callback) =>
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy()] } }),
    );

    ipcMain.handle(IPC_CALL, makeIpcCallHandler(b, (event) => isTrustedSender(event.senderFrame)));
    win = new BrowserWindow(secureWindowOptions(path.join(opts.distDir, 'preload.cjs')));
    const target = win;
    const stopEvents = forwardEvents(b, (event, payload) => {
      if (!target.isDestroyed()) target.webContents.send(IPC_EVENT, event, payload);
    });
    target.once('ready-to-show', () => target.show());
    target.on('closed', stopEvents);
    await target.loadURL(RENDERER_URL);
  });

  app.on('window-all-closed', () => app.quit());
  let closing = false;
  app.on('will-quit', (event) => {
    // Stop captures and the helper before exiting; quit again once the backend is closed.
    if (closing || !backend) return;
    closing = true;
    event.preventDefault();
    ipcMain.removeHandler(IPC_CALL);
    void backend.close().finally(() => app.quit());
  });
}
