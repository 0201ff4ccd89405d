// Both packages carry the helper the same way: `npm run deb` (dpkg-deb) and electron-builder's
// deb (`npm run dist`, which cannot run here without Electron: its configuration is checked).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEB_GROUP, DEB_POLKIT_RULE_PATH, HELPER_PATH, LIB_DIR, systemLayout } from '../../../electron/install/layout';
// @ts-expect-error plain ESM scripts without types
import { packagingConfig } from '../../../scripts/dist.mjs';
// @ts-expect-error plain ESM scripts without types
import { DEPENDS, RECOMMENDS } from '../../../scripts/build-deb.mjs';

const ROOT = resolve(__dirname, '../../..');
const tmp = mkdtempSync(join(tmpdir(), 'vsp-dist-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('electron-builder\'s deb', () => {
  it('maps the helper, its polkit files, the sudoers rule and the manifest to the same paths as npm run deb', async () => {
    const cfg = await packagingConfig(tmp);
    const targets = new Map<string, string>(cfg.deb.fpm.map((m: string) => m.split('=').reverse()));
    for (const p of [HELPER_PATH, systemLayout.polkitActionPath, DEB_POLKIT_RULE_PATH, `${LIB_DIR}/sudoers-rule`, systemLayout.manifestPath]) expect([...targets.keys()], p).toContain(p);
    expect(readFileSync(targets.get(HELPER_PATH)!, 'utf8').split('\n')[0]).toBe('#!/usr/bin/node --no-memory-reducer');
    expect(JSON.parse(readFileSync(targets.get(systemLayout.manifestPath)!, 'utf8'))).toMatchObject({ installedBy: 'debian-package', group: DEB_GROUP, helper: HELPER_PATH });
    expect(cfg.deb.afterInstall).toBe(join(ROOT, 'build/deb/postinst'));
    expect(cfg.deb.afterRemove).toBe(join(ROOT, 'build/deb/postrm'));
    expect(cfg.deb.depends).toEqual(DEPENDS);
    expect(cfg.deb.recommends).toEqual(RECOMMENDS);
    // The AppImage holds no polkit policy of its own: it could never be installed from there.
    expect(cfg.extraResources).toBeUndefined();
  }, 60_000);
});

describe('maintainer scripts', () => {
  const postinst = readFileSync(join(ROOT, 'build/deb/postinst'), 'utf8');
  const postrm = readFileSync(join(ROOT, 'build/deb/postrm'), 'utf8');
  it('name the layout\'s group, rule and template', () => {
    for (const s of [postinst, postrm]) expect(s).toMatch(new RegExp(`^GROUP=${DEB_GROUP}$`, 'm'));
    expect(postinst).toContain(`RULE=${systemLayout.sudoersPath}`);
    expect(postinst).toContain(`${LIB_DIR}/sudoers-rule`);
    expect(postrm).toContain(`rm -f ${systemLayout.sudoersPath} `);
  });
  it('validate the sudoers rule before it goes live, and delete only a group the package created', () => {
    expect(postinst.indexOf('visudo -cf')).toBeLessThan(postinst.indexOf('mv -f'));
    expect(postrm).toMatch(/if \[ -e "\$STATE\/created-group" \]/);
  });
});
