// The Electron window's security settings as pure functions, so unit tests under
// plain Node fail the moment one regresses. main.ts only wires them up.
import type { BrowserWindowConstructorOptions } from 'electron';

/** The renderer is served from this privileged custom scheme, never from the network or file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'vethscope';
export const RENDERER_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

export function secureWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 720,
    minHeight: 480,
    show: false, // shown on ready-to-show: no white flash
    title: 'vethscope',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
    },
  };
}

/** The desktop renderer's CSP: like browser mode's, but it needs no WebSocket (events come over IPC). */
export function contentSecurityPolicy(): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // React Flow positions nodes with style attributes: inline styles only, never inline scripts.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "frame-src 'none'",
    "worker-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

function isOurs(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/** Navigation away from our own pages is never allowed (links to the web open nothing). */
export function isAllowedNavigation(url: string): boolean {
  return isOurs(url);
}

/** IPC is honoured only from our renderer's top frame, never from an iframe or a foreign page. */
export function isTrustedSender(frame: { url: string; parent: unknown } | null | undefined): boolean {
  return frame != null && frame.parent === null && isOurs(frame.url);
}
