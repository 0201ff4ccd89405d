// `sudo vethscope capture ...` as a person would type it: the helper is started while
// the CLI is root, then the CLI becomes that person, so the file is theirs, in their home.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot, SKIP_REASON } from '../../support/env';
import { ensureTestUser, type TestUser } from '../../support/users';
import { makePair, ping, removePair, type Pair } from '../helper/helper-fixture';
import { runToEnd, tsharkFrames } from './harness';

const ROOT = join(__dirname, '../../..');
const RULE = '/etc/sudoers.d/vethscope-test-under-sudo';

describe.skipIf(!isRoot)(`sudo vethscope capture (${isRoot ? 'root' : SKIP_REASON})`, () => {
  let user: TestUser;
  let pair: Pair;
  beforeAll(() => {
    user = ensureTestUser('vsq-sudoer');
    pair = makePair('s', 76);
    // This test's own rule (the person may run node as root), removed afterwards.
    writeFileSync(RULE, `${user.name} ALL=(root) NOPASSWD: ${process.execPath}\n`, { mode: 0o440 });
    expect(spawnSync('visudo', ['-cf', RULE]).status).toBe(0);
  });
  afterAll(() => {
    rmSync(RULE, { force: true });
    removePair('s');
    user?.remove();
  });

  it('writes the capture into the person\'s ~/vethscope-captures, owned by them, folder 0700, file 0600', async () => {
    const cmd = `cd ${ROOT} && sudo -n ${process.execPath} bin/vethscope.cjs capture netns:${pair.ns[0]}:${pair.ifs[0]} --filter icmp --count 6`;
    const run = runToEnd(['su', user.name, '-s', '/bin/sh', '-c', cmd]);
    await new Promise((r) => setTimeout(r, 2500)); // the helper starts and tcpdump listens
    ping(pair, 5);
    const r = await run;
    expect(r.code, r.err).toBe(0);
    const dir = join(statSync(`/home/${user.name}`).isDirectory() ? `/home/${user.name}` : '/', 'vethscope-captures');
    const files = readdirSync(dir).filter((f) => f.endsWith('.pcapng'));
    expect(files).toHaveLength(1);
    const file = join(dir, files[0]!);
    expect(r.out.trim()).toBe(file);
    expect(statSync(file).uid).toBe(user.uid);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).uid).toBe(user.uid);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(tsharkFrames(file)).toHaveLength(6);
  }, 60_000);
});
