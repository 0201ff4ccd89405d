// The read-ahead through one grep gives what reading each file in-process gives.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { parseGrepZ } from '../../../electron/kernel/grep-read';
import { readNamespacesSysfs } from '../../../electron/kernel/sysfs-batch';
import { readNamespaceSysfs } from '../../../electron/kernel/sysfs-read';

const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
afterAll(() => void sleeper.kill());

describe('sysfs read ahead by grep', () => {
  it('parses NUL-separated records: lines joined per file, a ":" or a NUL in the content kept, nothing trimmed', () => {
    const out = '/p/a:b\0line 1\n/p/a:b\0line 2:x\n/p/c\0\n/p/d\0  7  \n/p/e\0a\0b\0\n/p/e\0/p/f\0c\n';
    expect(parseGrepZ(out)).toEqual(
      new Map([
        ['/p/a:b', 'line 1\nline 2:x'],
        ['/p/c', ''],
        ['/p/d', '  7  '],
        // an argv (NUL-separated) whose argument holds a newline and what looks like a path
        ['/p/e', 'a\0b\0\n/p/f\0c'],
      ]),
    );
  });

  it("this process's namespace (two of its pids, so grep runs) reads the same as in-process reads", async () => {
    // Interfaces may come and go meanwhile on a busy host: compare a reading taken between two equal ones.
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = readNamespaceSysfs(process.pid);
      const batch = await readNamespacesSysfs([process.pid, sleeper.pid!]);
      const after = readNamespaceSysfs(sleeper.pid!);
      if (JSON.stringify(before) !== JSON.stringify(after)) continue;
      expect(before.ok).toBe(true);
      expect(batch.get(process.pid)).toEqual(before);
      expect(batch.get(sleeper.pid!)).toEqual(after);
      return;
    }
    throw new Error('the host interfaces kept changing');
  });

  it('a file it did not read ahead is read in-process: a loopback that is down (no igmp line) is read as any link', async (ctx) => {
    if (process.getuid?.() !== 0) return ctx.skip();
    // A namespace of its own with its own sysfs: only `lo`, down, so readLink reads `type`, `address`... of it.
    const own = spawn('unshare', ['-n', '-m', '--propagation', 'private', 'sh', '-c', 'mount -t sysfs sysfs /sys && exec sleep 30'], { stdio: 'ignore' });
    try {
      // Until it runs `sleep` it may still be in our namespace, or before its mount.
      const comm = () => {
        try {
          return readFileSync(`/proc/${own.pid}/comm`, 'utf8').trim();
        } catch {
          return '';
        }
      };
      for (let i = 0; i < 100 && comm() !== 'sleep'; i++) await new Promise((r) => setTimeout(r, 20));
      const alone = readNamespaceSysfs(own.pid!);
      expect(alone).toMatchObject({ ok: true, links: [{ name: 'lo', kind: 'loopback', mac: '00:00:00:00:00:00' }] });
      const batch = await readNamespacesSysfs([own.pid!, process.pid]);
      expect(batch.get(own.pid!)).toEqual(alone);
    } finally {
      own.kill();
    }
  });

  it('a pid that is gone is an error, the others still read', async () => {
    const r = await readNamespacesSysfs([process.pid, sleeper.pid!, 2 ** 22 + 1]);
    expect(r.get(2 ** 22 + 1)?.ok).toBe(false);
    expect(r.get(process.pid)?.ok).toBe(true);
  });
});
