// Section 5: the Electron window's security settings and preload surface (the shell's own pure
// functions, so a regression fails here without an Electron binary), and `npm audit --omit=dev`.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, isAllowedNavigation, isTrustedSender, secureWindowOptions } from '../../electron/front-doors/desktop/security';
import { exposedApi } from '../../electron/front-doors/preload/api';
import { browserCsp } from '../../electron/front-doors/browser/security';
import { record } from './metrics';
import { ROOT } from './support';

const directives = (csp: string) => Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v]));

describe('5. Electron settings and dependencies', () => {
  it('window: contextIsolation, sandbox, webSecurity on; nothing that weakens them; strict CSP; typed preload only', () => {
    const wp = secureWindowOptions('/x/preload.cjs').webPreferences!;
    const problems: string[] = [];
    const must: Record<string, unknown> = { contextIsolation: true, sandbox: true, webSecurity: true, nodeIntegration: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false, allowRunningInsecureContent: false, webviewTag: false, experimentalFeatures: false };
    for (const [k, v] of Object.entries(must)) if ((wp as Record<string, unknown>)[k] !== v) problems.push(`webPreferences.${k} is ${String((wp as Record<string, unknown>)[k])}, want ${v}`);
    for (const [name, csp] of [['desktop', contentSecurityPolicy()], ['browser', browserCsp('127.0.0.1:1')]] as const) {
      const d = directives(csp);
      if (d['default-src']?.join(' ') !== "'self'") problems.push(`${name} CSP default-src ${d['default-src']}`);
      if (d['script-src']?.join(' ') !== "'self'") problems.push(`${name} CSP script-src ${d['script-src']} (no inline, eval or remote scripts)`);
      if (d['object-src']?.join(' ') !== "'none'") problems.push(`${name} CSP object-src`);
      if (d['frame-ancestors']?.join(' ') !== "'none'") problems.push(`${name} CSP frame-ancestors`);
      if (d['base-uri']?.join(' ') !== "'none'") problems.push(`${name} CSP base-uri`);
      if (/unsafe-eval|\*|https?:\/\/(?!127\.0\.0\.1)/.test(csp.replace(/ws:\/\/127\.0\.0\.1:\d+/, ''))) problems.push(`${name} CSP allows eval, wildcards or remote origins: ${csp}`);
    }
    if (!isAllowedNavigation('app://vethscope/index.html') || isAllowedNavigation('https://example.com/') || isAllowedNavigation('file:///etc/passwd')) problems.push('navigation guard');
    if (isTrustedSender({ url: 'app://vethscope/index.html', parent: {} }) || !isTrustedSender({ url: 'app://vethscope/index.html', parent: null })) problems.push('IPC sender guard');
    const fake = { invoke: async () => ({ ok: true, result: null }), on() {}, removeListener() {} };
    const api = exposedApi(fake as never) as unknown as Record<string, unknown>;
    if (Object.keys(api).sort().join() !== 'call,on' || !Object.isFrozen(api)) problems.push(`preload exposes ${Object.keys(api).join(',')} (frozen: ${Object.isFrozen(api)})`);
    const preloadSrc = readFileSync(resolve(ROOT, 'electron/front-doors/preload/preload.ts'), 'utf8');
    const exposed = [...preloadSrc.matchAll(/exposeInMainWorld\(\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);
    if (exposed.join() !== 'vethscope') problems.push(`preload exposeInMainWorld: ${exposed.join(',') || 'none'}`);
    record({ section: '5 electron + deps', check: 'window options, CSP, navigation/sender guards, preload surface (also: test/unit/front-doors/desktop/{security,ipc,app}.test.ts, test/unit/front-doors/preload/preload.test.ts)', inputs: 0, detail: problems.join('; ') || 'all as required', ok: problems.length === 0 });
    expect(problems).toEqual([]);
  });

  it('npm audit --omit=dev: no high or critical finding without a written justification', () => {
    const r = spawnSync('npm', ['audit', '--omit=dev', '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    let report: any = null;
    try {
      report = JSON.parse(r.stdout);
    } catch {
      /* not JSON */
    }
    const doc = readFileSync(resolve(ROOT, 'docs/security.md'), 'utf8');
    if (!report?.metadata?.vulnerabilities) {
      // The registry refused the audit endpoint (or no network): say so, plainly, and list what ships.
      const why = (report?.message ?? r.stderr ?? '').split('\n').find((l: string) => l.trim())?.slice(0, 160) ?? `exit ${r.status}`;
      const ls = spawnSync('npm', ['ls', '--omit=dev', '--depth=0', '--json'], { cwd: ROOT, encoding: 'utf8' });
      const deps = Object.entries((JSON.parse(ls.stdout || '{}').dependencies ?? {}) as Record<string, { version: string }>).map(([k, v]) => `${k}@${v.version}`);
      console.log(`[hardening] npm audit could not run: ${why}`);
      record({ section: '5 electron + deps', check: 'npm audit --omit=dev', inputs: 0, detail: `AUDIT COULD NOT RUN: ${why}; production dependencies: ${deps.join(', ')}`, ok: true });
      return;
    }
    const v = report.metadata.vulnerabilities;
    const serious = Object.entries(report.vulnerabilities ?? {}).filter(([, x]: [string, any]) => x.severity === 'high' || x.severity === 'critical').map(([name]) => name);
    const unjustified = serious.filter((name) => !new RegExp(`audit-justification: ${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\b`).test(doc));
    record({ section: '5 electron + deps', check: 'npm audit --omit=dev', inputs: 0, detail: `critical=${v.critical} high=${v.high} moderate=${v.moderate} low=${v.low}; unjustified high/critical: ${unjustified.join(',') || 'none'}`, ok: unjustified.length === 0 });
    expect(unjustified).toEqual([]);
  });
});
