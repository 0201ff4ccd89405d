// Packaging config and `npm run dist`'s plain refusal when the Electron binary is missing.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM scripts without types
import { policyMappings } from '../../../scripts/dist.mjs';
// @ts-expect-error plain ESM scripts without types
import { findElectron } from '../../../scripts/start.mjs';

const ROOT = path.resolve(__dirname, '../../..');

describe('build/electron-builder.json', () => {
  const cfg = JSON.parse(readFileSync(path.join(ROOT, 'build/electron-builder.json'), 'utf8'));
  it('builds AppImage and deb from the bundles', () => {
    expect(cfg.linux.target).toEqual(['AppImage', 'deb']);
    for (const f of ['dist/main.cjs', 'dist/preload.cjs', 'dist/helper.cjs', 'dist/renderer/**']) expect(cfg.files).toContain(f);
    expect(cfg.extraMetadata.main).toBe('dist/main.cjs');
    // The helper and its polkit files go into the deb only (test/unit/install/packages.test.ts).
    expect(cfg.deb.afterInstall).toBe('build/deb/postinst');
  });
  it('installs every build/*.policy into polkit actions in the deb', () => {
    const maps: string[] = policyMappings(path.join(ROOT, 'build'));
    expect(maps.length).toBeGreaterThan(0);
    for (const m of maps) expect(m).toMatch(/\/build\/[\w.-]+\.policy=\/usr\/share\/polkit-1\/actions\/[\w.-]+\.policy$/);
  });
});

describe('npm run dist without an Electron binary', () => {
  it.runIf('error' in findElectron())('exits non-zero with a plain message, no stack trace', () => {
    const r = spawnSync(process.execPath, ['scripts/dist.mjs'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ELECTRON_CACHE: '/nonexistent/vss-cache' } });
    console.log(r.stderr);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^vethscope dist: packaging needs the Electron binary/);
    expect(r.stderr).toContain('ENOTFOUND');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
