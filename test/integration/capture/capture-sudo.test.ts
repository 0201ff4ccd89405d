// `vethscope capture` as an ordinary user: Docker through the docker group, the helper
// installed by install-helper and started through its group rule (sudo -n, no password,
// no arguments); the file must belong to the user and tshark must read it.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installHelper, removeHelper } from '../../../electron/install/installer';
import { isRoot, removeSuiteContainers, runContainer, SKIP_REASON, TEST_ROOT } from '../../support/env';
import { buildCheckout, installBlocker, type Checkout } from '../packaging/install-fixture';
import { ipOf, pingAsync, runToEnd, tsharkFrames } from './harness';

const SUITE = 'vsc-cap-sudo';
const USER = 'vsc-capuser';
const GROUP = 'vsc-capture';
const tools = ['sudo', 'visudo', 'setpriv', 'useradd', 'usermod'];
const missing = tools.filter((t) => spawnSync('which', [t]).status !== 0);
const skip = !isRoot ? SKIP_REASON : missing.length ? `needs ${missing.join(', ')}` : installBlocker();

describe.skipIf(skip !== null)(`capture CLI as a user through the installed helper (${skip ?? 'root'})`, () => {
  let uid = 0;
  let gid = 0;
  let home = '';
  let work = '';
  let checkout: Checkout;
  let createdUser = false;
  beforeAll(async () => {
    work = mkdtempSync('/tmp/vsc-capsudo-');
    chmodSync(work, 0o755);
    checkout = buildCheckout(join(work, 'checkout'));
    await installHelper({ group: GROUP, bundlePath: checkout.helper, version: '0.0.0-test' });
    if (spawnSync('id', ['-u', USER]).status !== 0) {
      execFileSync('useradd', ['-M', '-s', '/usr/sbin/nologin', USER]);
      createdUser = true;
    }
    execFileSync('usermod', ['-aG', `docker,${GROUP}`, USER]); // the private daemon's socket is root:docker 0660
    uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }));
    gid = Number(execFileSync('id', ['-g', USER], { encoding: 'utf8' }));
    home = mkdtempSync('/tmp/vsc-capuser-home-');
    chownSync(home, uid, gid);
    chmodSync(home, 0o700);
    removeSuiteContainers(SUITE);
    runContainer(SUITE, 'vsc-cs-a');
    runContainer(SUITE, 'vsc-cs-b');
  }, 120_000);
  afterAll(async () => {
    await removeHelper().catch((e) => console.log(`[capture-sudo] install-helper --remove: ${e.message}`));
    removeSuiteContainers(SUITE);
    if (createdUser) spawnSync('userdel', [USER]);
    else spawnSync('gpasswd', ['-d', USER, GROUP]);
    for (const d of [home, work]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('captures into ~/vethscope-captures, owned by the user, and tshark reads it', async () => {
    const traffic = pingAsync('vsc-cs-a', ipOf('vsc-cs-b'), 40, '0.1');
    const argv = ['setpriv', '--reuid', USER, '--regid', USER, '--init-groups', '--', '/usr/bin/node', checkout.cli, 'capture', 'vsc-cs-a', '--count', '8'];
    const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: home, USER, DOCKER_HOST: `unix://${TEST_ROOT}/docker.sock` };
    const r = await runToEnd(argv, { env, cwd: home });
    await traffic;
    expect(r.code, r.err).toBe(0);
    const path = r.out.trim();
    expect(path.startsWith(join(home, 'vethscope-captures', 'vsc-cs-a_'))).toBe(true);
    const st = statSync(path);
    expect([st.uid, st.gid]).toEqual([uid, gid]);
    expect(tsharkFrames(path)).toHaveLength(8);
  }, 60_000);
});
