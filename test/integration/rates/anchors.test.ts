// Namespaces that only a bind mount keeps alive (`ip netns add`) have no process
// whose /proc/PID/net/dev the sampler could read: as root it parks one
// `nsenter ... sleep` inside. That process must never outlive its owner.
import { spawn } from 'node:child_process';
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NamespaceAnchors } from '../../../electron/backend/rates/anchors';
import { ip, ipTry, isRoot, SKIP_REASON } from '../../support/env';
import { alive, waitFor } from '../../support/poll';

const NS = 'vsr-anchor';
const handle = () => ({ inode: statSync(`/run/netns/${NS}`).ino, path: `/run/netns/${NS}` });

/** Processes inside the namespace (the anchor's argv is just `sleep ...` once nsenter has exec'd). */
function pidsInNamespace(inode: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readlinkSync(`/proc/${d}/ns/net`) === `net:[${inode}]` && alive(Number(d));
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe.skipIf(!isRoot)(`rates: namespace anchors (${isRoot ? 'root' : SKIP_REASON})`, () => {
  beforeAll(() => {
    ipTry('netns', 'del', NS);
    ip('netns', 'add', NS);
    ip('-n', NS, 'link', 'set', 'lo', 'up');
  });
  afterAll(() => ipTry('netns', 'del', NS));

  it("reads a process-less namespace's counters through its anchor, and releases it", async () => {
    const anchors = NamespaceAnchors.create()!;
    expect(anchors).not.toBeNull();
    const read = await waitFor('the anchor to enter the namespace', async () => {
      const r = (await anchors.read([handle()])).get(handle().inode);
      return r instanceof Map ? r : null;
    }, 5000, 50);
    expect([...read.keys()]).toContain('lo');
    expect(anchors.size).toBe(1);
    anchors.releaseAll();
    await waitFor('the anchor to exit', () => pidsInNamespace(handle().inode).length === 0, 2000, 20);
  });

  it('dies with its owner, even when the owner is SIGKILLed', async () => {
    // A separate process owns the anchor; we kill it without warning.
    const script = `
      const { NamespaceAnchors } = require(${JSON.stringify(resolve(__dirname, '../../../electron/backend/rates/anchors.ts'))});
      const a = NamespaceAnchors.create();
      a.read([${JSON.stringify(handle())}]).then(() => console.log('parked'));
      setInterval(() => undefined, 1000);`;
    const owner = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const inode = handle().inode;
    await waitFor('the anchor to be parked', () => pidsInNamespace(inode).length > 0, 10_000, 50);
    const anchorPids = pidsInNamespace(inode);
    owner.kill('SIGKILL');
    await waitFor('the anchor to die with its owner', () => anchorPids.every((p) => !alive(p)), 2000, 20);
  });
});
