// Entering a namespace to read it: its lowest pid may have exited by then (a short-lived child
// after the pid counter wrapped), and a pid may now belong to a process of another namespace.
// The scan tries the next process and checks the inode on the open fd.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { openNamespace } from '../../../electron/kernel/namespaces';
import { isRoot, SKIP_REASON } from '../../support/env';
import { waitFor } from '../../support/poll';

const children: ChildProcess[] = [];
const start = (cmd: string, args: string[]) => {
  const c = spawn(cmd, args, { stdio: 'ignore' });
  children.push(c);
  return c;
};
const nsInode = (pid: number) => statSync(`/proc/${pid}/ns/net`).ino;

describe.skipIf(!isRoot)(`namespace entry (${isRoot ? 'root' : SKIP_REASON})`, () => {
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
  });

  it('skips a pid that exited and one that is now in another namespace, enters through the next', async () => {
    const first = start('/usr/bin/unshare', ['--net', '/bin/sleep', '30']);
    const host = nsInode(process.pid);
    const inode = await waitFor('unshare to enter its namespace', () => (nsInode(first.pid!) !== host ? nsInode(first.pid!) : null), 5000, 10);
    const second = start('/usr/bin/nsenter', [`--net=/proc/${first.pid}/ns/net`, '/bin/sleep', '30']);
    await waitFor('nsenter to enter it', () => (nsInode(second.pid!) === inode ? true : null), 5000, 10);
    const gone = spawnSync('/bin/true').pid!; // exited: /proc/GONE is no more
    const elsewhere = start('/bin/sleep', ['30']); // a live pid in the host's namespace
    const fd = openNamespace({ inode, paths: [], pids: [gone, elsewhere.pid!, second.pid!] });
    expect(fd).not.toBeNull();
    try {
      expect(fstatSync(fd!).ino).toBe(inode);
    } finally {
      closeSync(fd!);
    }
    // None of them in the namespace any more: no way in, rather than the wrong namespace.
    expect(openNamespace({ inode, paths: [], pids: [gone, elsewhere.pid!] })).toBeNull();
  });
});
