// `vethscope capture` as an ordinary user: Docker through the docker group, the
// helper through `sudo -n` with exactly the sudoers.example rule; the file must
// belong to the user and tshark must read it.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdtempSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot, removeSuiteContainers, runContainer, SKIP_REASON, TEST_ROOT } from '../../support/env';
import { ipOf, pingAsync, runToEnd, tsharkFrames } from './harness';

const SUITE = 'vsc-cap-sudo';
const USER = 'vsc-capuser';
const DROPIN = '/etc/sudoers.d/vethscope-capture-cli-test';
const ROOT = resolve(__dirname, '../../..');
const tools = ['sudo', 'visudo', 'setpriv', 'useradd', 'usermod'];
const missing = tools.filter((t) => spawnSync('which', [t]).status !== 0);
const skip = !isRoot ? SKIP_REASON : missing.length ? `needs ${missing.join(', ')}` : null;

describe.skipIf(skip !== null)(`capture CLI as a user through sudo (${skip ?? 'root'})`, () => {
  let uid = 0;
  let gid = 0;
  let home = '';
  beforeAll(() => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
    if (spawnSync('id', ['-u', USER]).status !== 0) execFileSync('useradd', ['-M', '-s', '/usr/sbin/nologin', USER]);
    execFileSync('usermod', ['-aG', 'docker', USER]); // the private daemon's socket is root:docker 0660
    uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }));
    gid = Number(execFileSync('id', ['-g', USER], { encoding: 'utf8' }));
    home = mkdtempSync('/tmp/vsc-capuser-home-');
    chownSync(home, uid, gid);
    chmodSync(home, 0o700);
    const rule = `${USER} ALL=(root) NOPASSWD: ${realpathSync(process.execPath)} ${join(ROOT, 'dist/helper.cjs')}\n`;
    const candidate = join(home, '..', `vsc-sudoers-${process.pid}`);
    writeFileSync(candidate, `# vethscope capture CLI test; removed by the test\n${rule}`, { mode: 0o440 });
    execFileSync('visudo', ['-cf', candidate]);
    copyFileSync(candidate, DROPIN);
    chmodSync(DROPIN, 0o440);
    rmSync(candidate);
    removeSuiteContainers(SUITE);
    runContainer(SUITE, 'vsc-cs-a');
    runContainer(SUITE, 'vsc-cs-b');
  }, 120_000);
  afterAll(() => {
    rmSync(DROPIN, { force: true });
    removeSuiteContainers(SUITE);
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('captures into ~/vethscope-captures, owned by the user, and tshark reads it', async () => {
    const traffic = pingAsync('vsc-cs-a', ipOf('vsc-cs-b'), 40, '0.1');
    const argv = ['setpriv', '--reuid', USER, '--regid', USER, '--init-groups', '--', realpathSync(process.execPath), join(ROOT, 'bin/vethscope.cjs'), 'capture', 'vsc-cs-a', '--count', '8'];
    const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: home, DOCKER_HOST: `unix://${TEST_ROOT}/docker.sock` };
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
