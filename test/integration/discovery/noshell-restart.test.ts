import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker, dockerTry, isRoot, nsInode, testEnv, removeSuiteContainers, runContainer, SKIP_REASON } from '../../support/env';
import { discover, kernelPeer, nsPathOf } from './kernel-view';

const SUITE = 'vsd-disc-life';
// The shared vethscope-test/busybox-noshell:1 names busybox "sleeper", which busybox
// rejects ("applet not found"), so it exits at once. This image names it "sleep":
// still no shell and no cat.
const BARE_IMAGE = 'vethscope-test/vsd-noshell:1';

function ensureBareImage(): void {
  if (dockerTry('image', 'inspect', BARE_IMAGE).status === 0) return;
  const root = mkdtempSync(join(tmpdir(), 'vsd-noshell-'));
  try {
    for (const d of ['bin', 'proc', 'sys', 'dev', 'etc']) mkdirSync(join(root, d));
    copyFileSync('/bin/busybox', join(root, 'bin', 'sleep'));
    const tar = execFileSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 64 << 20 });
    execFileSync('docker', ['import', '--change', 'ENTRYPOINT ["/bin/sleep"]', '--change', 'CMD ["100000"]', '-', BARE_IMAGE], { input: tar, env: testEnv() });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe.skipIf(!isRoot)(`discovery: shell-less image, stop and restart (${isRoot ? 'root' : SKIP_REASON})`, () => {
  beforeAll(() => {
    removeSuiteContainers(SUITE);
    ensureBareImage();
    runContainer(SUITE, 'vsd-life-bare', [], BARE_IMAGE, []);
    runContainer(SUITE, 'vsd-life-cycle');
  });
  afterAll(() => removeSuiteContainers(SUITE));

  it('resolves a container that has no shell and no cat (the manual method cannot)', async () => {
    const topo = await discover();
    const c = topo.containers.find((x) => x.name === 'vsd-life-bare')!;
    expect(c.state).toBe('running');
    expect(dockerTry('exec', 'vsd-life-bare', 'cat', '/sys/class/net/eth0/iflink').status).not.toBe(0);
    expect(c.netns).toBe(nsInode(nsPathOf('vsd-life-bare')));
    const kernel = kernelPeer(nsPathOf('vsd-life-bare'), 'eth0', null)!;
    expect(c.interfaces.find((i) => i.name === 'eth0')?.hostPeer).toBe(kernel.ifname);
  });

  it('follows a container through stop and restart: no interfaces while stopped, the new veth after', async () => {
    const before = (await discover()).containers.find((x) => x.name === 'vsd-life-cycle')!;
    const oldVeth = before.interfaces.find((i) => i.name === 'eth0')!.hostPeer;
    expect(oldVeth).toBe(kernelPeer(nsPathOf('vsd-life-cycle'), 'eth0', null)!.ifname);

    docker('stop', '-t', '0', 'vsd-life-cycle');
    const stopped = (await discover()).containers.find((x) => x.name === 'vsd-life-cycle')!;
    expect(stopped).toMatchObject({ state: 'exited', pid: null, netns: null, interfaces: [] });

    docker('start', 'vsd-life-cycle');
    const topo = await discover();
    const after = topo.containers.find((x) => x.name === 'vsd-life-cycle')!;
    expect(after.netns).toBe(nsInode(nsPathOf('vsd-life-cycle')));
    // The kernel may hand the new namespace the old inode number; the process is new.
    expect(after.pid).not.toBe(before.pid);
    const kernel = kernelPeer(nsPathOf('vsd-life-cycle'), 'eth0', null)!;
    expect(after.interfaces.find((i) => i.name === 'eth0')?.hostPeer).toBe(kernel.ifname);
    // The old veth died with the old namespace; Docker names the new one afresh.
    if (kernel.ifname !== oldVeth) expect(topo.namespaces.find((n) => n.isHost)!.interfaces.some((i) => i.name === oldVeth)).toBe(false);
  });
});
