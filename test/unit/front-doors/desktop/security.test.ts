// A regression in any of these settings must fail a test.
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, isAllowedNavigation, isTrustedSender, RENDERER_URL, secureWindowOptions } from '../../../../electron/front-doors/desktop/security';

describe('secureWindowOptions', () => {
  const wp = secureWindowOptions('/opt/vethscope/dist/preload.cjs').webPreferences!;
  it('isolates and sandboxes the renderer', () => {
    expect(wp.contextIsolation).toBe(true);
    expect(wp.sandbox).toBe(true);
    expect(wp.nodeIntegration).toBe(false);
    expect(wp.nodeIntegrationInWorker).toBe(false);
    expect(wp.nodeIntegrationInSubFrames).toBe(false);
    expect(wp.webSecurity).toBe(true);
    expect(wp.allowRunningInsecureContent).toBe(false);
    expect(wp.webviewTag).toBe(false);
    expect(wp.preload).toBe('/opt/vethscope/dist/preload.cjs');
  });
  it('sets nothing that weakens it', () => {
    expect(Object.keys(wp).sort()).toEqual(
      [
        'allowRunningInsecureContent', 'contextIsolation', 'experimentalFeatures', 'navigateOnDragDrop', 'nodeIntegration',
        'nodeIntegrationInSubFrames', 'nodeIntegrationInWorker', 'preload', 'safeDialogs', 'sandbox', 'spellcheck', 'webSecurity', 'webviewTag',
      ].sort(),
    );
    expect(wp.experimentalFeatures).toBe(false);
  });
});

describe('contentSecurityPolicy', () => {
  const csp = contentSecurityPolicy();
  const directives = Object.fromEntries(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
  it('allows only our own scripts, inline styles at most', () => {
    expect(directives['default-src']).toBe("'self'");
    expect(directives['script-src']).toBe("'self'");
    expect(directives['style-src']).toBe("'self' 'unsafe-inline'");
    expect(directives['object-src']).toBe("'none'");
    expect(directives['frame-ancestors']).toBe("'none'");
    expect(directives['base-uri']).toBe("'none'");
    expect(directives['img-src']).toBe("'self' data:");
    expect(csp).not.toMatch(/unsafe-eval|\*|https?:/);
  });
});

describe('isAllowedNavigation', () => {
  it('allows only our own app:// pages', () => {
    expect(isAllowedNavigation(RENDERER_URL)).toBe(true);
    expect(isAllowedNavigation('app://vethscope/capture/1')).toBe(true);
    for (const url of ['https://example.com/', 'http://127.0.0.1:8080/', 'file:///etc/passwd', 'app://other/index.html', 'app://x@vethscope/', 'javascript:alert(1)', 'data:text/html,x', 'not a url', '']) {
      expect(isAllowedNavigation(url), url).toBe(false);
    }
  });
});

describe('isTrustedSender', () => {
  it('trusts only our renderer top frame', () => {
    expect(isTrustedSender({ url: RENDERER_URL, parent: null })).toBe(true);
    expect(isTrustedSender({ url: RENDERER_URL, parent: {} })).toBe(false); // an iframe
    expect(isTrustedSender({ url: 'https://evil.example/', parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'file:///tmp/x.html', parent: null })).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
    expect(isTrustedSender(undefined)).toBe(false);
  });
});
