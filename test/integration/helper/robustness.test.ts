// Hostile input never crashes the helper nor makes it spawn anything; a
// SIGKILLed client leaves no helper and no tcpdump behind.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HelperClient } from '../../../electron/backend/helper-client/helper-client';
import { alive, buildHelper, children, HELPER, makePair, pidsWith, ROOT, removePair, sleep, tshark, waitFor, type Pair } from './helper-fixture';

const root = process.getuid?.() === 0;

describe.skipIf(!root)('helper robustness', () => {
  let pair: Pair;
  let dir: string;
  beforeAll(() => {
    buildHelper();
    pair = makePair('r', 74);
    dir = mkdtempSync(join(tmpdir(), 'vsh-rob-'));
  });
  afterAll(() => {
    removePair('r');
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers garbage with error replies, spawns nothing, still says hello', async () => {
    const h = spawn(process.execPath, [HELPER], { stdio: ['pipe', 'pipe', 'pipe'] });
    const replies: any[] = [];
    let buf = '';
    h.stdout.on('data', (c) => {
      buf += c;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        replies.push(JSON.parse(buf.slice(0, i)));
        buf = buf.slice(i + 1);
      }
    });
    let spawned = 0;
    const watch = setInterval(() => (spawned += children(h.pid!).length), 2);
    const iface = { netns: null, output: join(dir, 'x.pcap') };
    const cap = (over: object) => ({ captureId: 'vsh-rob-0001', ifaces: [{ ...iface, iface: 'lo' }], filter: '', snaplen: 65535, maxDurationSec: 60, ...over });
    const lines = [
      'not json',
      '{"id":1}',
      '{"id":2,"op":"rm -rf /","params":{}}',
      '{"id":3,"op":"constructor","params":{}}',
      JSON.stringify({ id: 4, op: 'startCapture', params: cap({ ifaces: [{ ...iface, iface: 'lo; reboot' }] }) }),
      JSON.stringify({ id: 5, op: 'startCapture', params: cap({ ifaces: [{ ...iface, iface: '-w/etc/x' }] }) }),
      JSON.stringify({ id: 6, op: 'startCapture', params: cap({ ifaces: [{ ...iface, iface: 'lo', output: '/tmp/../etc/passwd' }] }) }),
      JSON.stringify({ id: 7, op: 'startCapture', params: cap({ ifaces: [{ ...iface, iface: 'lo', output: 'relative.pcap' }] }) }),
      JSON.stringify({ id: 8, op: 'startCapture', params: cap({ snaplen: 'big' }) }),
      JSON.stringify({ id: 9, op: 'startCapture', params: cap({ filter: 'tcp\u0000; id' }) }),
      '{"id":10,"op":"hello","params":{}}\u0000',
      JSON.stringify({ id: 11, op: 'readCounters', params: { namespaces: [{ inode: 1, path: '/etc/shadow' }] } }),
      JSON.stringify({ id: 12, op: 'startCapture', params: cap({ extra: true }) }),
      '{"id":13,"op":"hello","params":{"uid":0}}',
    ];
    h.stdin.write(lines.join('\n') + '\n');
    h.stdin.write('{"id":14,"op":"hello","params":{},"pad":"' + 'A'.repeat(2 << 20) + '"}\n');
    h.stdin.write('{"id":15,"op":"hello","params":{}}\n');
    await waitFor(() => replies.some((r) => r.id === 15), 10_000);
    clearInterval(watch);
    const errs = replies.filter((r) => r.ok === false);
    expect(errs.length).toBe(lines.length + 1); // every bad line, plus the 2 MB one
    for (const e of errs) expect(e.error.code).toBe('INVALID_INPUT');
    expect(replies.find((r) => r.error?.message?.includes('exceeds'))).toMatchObject({ id: null });
    expect(replies.find((r) => r.id === 15)).toMatchObject({ ok: true, result: { version: 2, uid: 0 } });
    expect(spawned).toBe(0);
    h.stdin.end();
    await new Promise((r) => h.on('exit', r));
  });

  it('a SIGKILLed client leaves no helper and no tcpdump behind within 2 s; the file is readable', async () => {
    const path = join(dir, 'killed.pcap');
    const script = join(dir, 'client.ts');
    writeFileSync(
      script,
      `import { HelperClient } from ${JSON.stringify(join(ROOT, 'electron/backend/helper-client/helper-client'))};
const c = new HelperClient({ elevation: 'root', helperPath: ${JSON.stringify(HELPER)} });
c.request('startCapture', { captureId: 'vsh-kill-0001', ifaces: [{ netns: ${JSON.stringify(pair.handles[0])}, iface: ${JSON.stringify(pair.ifs[0])}, output: ${JSON.stringify(path)} }], filter: '', snaplen: 65535, maxDurationSec: 60 })
  .then(() => console.log('HELPER ' + c.helperPid), (e) => { console.log('ERR ' + e.code + ' ' + e.message); process.exit(1); });
setInterval(() => {}, 1000);
`,
    );
    // node --import tsx: one process (the tsx CLI would put a second node between us and the client).
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    const helperPid = Number((await waitFor(() => /HELPER (\d+)/.exec(out), 20_000))[1]);
    expect(alive(helperPid)).toBe(true);
    expect(pidsWith(pair.ifs[0]).length).toBeGreaterThan(0); // its tcpdump
    await sleep(300);
    child.kill('SIGKILL');
    const t0 = Date.now();
    await waitFor(() => !alive(helperPid) && pidsWith(pair.ifs[0]).length === 0, 2000, 20);
    console.log(`helper and tcpdump gone ${Date.now() - t0} ms after the client's SIGKILL`);
    const t = tshark(path);
    expect(t.code).toBe(0);
  }, 40_000);

  it('pkexec without a usable polkit is HELPER_UNAVAILABLE with the reason', async () => {
    const missing = new HelperClient({ elevation: 'pkexec', uid: 1000, helperPath: HELPER, findTool: (n) => (n === 'pkexec' ? null : `/usr/bin/${n}`) });
    await expect(missing.start()).rejects.toMatchObject({ code: 'HELPER_UNAVAILABLE', message: expect.stringMatching(/pkexec is not installed/) });
    expect(missing.status()).toMatchObject({ available: false, mode: 'none', error: { code: 'HELPER_UNAVAILABLE' } });
    // A pkexec that cannot reach polkit (exactly what Debian's prints without a system bus), exit 127.
    const fake = join(dir, 'fake-pkexec');
    writeFileSync(fake, '#!/bin/sh\necho "Error getting authority: Error initializing authority: Could not connect: No such file or directory" >&2\nexit 127\n', { mode: 0o755 });
    const noBus = new HelperClient({ elevation: 'pkexec', uid: 1000, helperPath: HELPER, findTool: (n) => (n === 'pkexec' ? fake : `/usr/bin/${n}`) });
    const err = await noBus.start().catch((e) => e);
    expect(err.code).toBe('HELPER_UNAVAILABLE');
    expect(err.message).toMatch(/Could not connect/);
  });

  it('a helper that dies fails pending requests with HELPER_DIED and the next request starts a new one', async () => {
    const c = new HelperClient({ elevation: 'root', helperPath: HELPER });
    await c.start();
    const first = c.helperPid!;
    const pending = c.request('scanNamespaces', {});
    process.kill(first, 'SIGKILL');
    await expect(pending).rejects.toMatchObject({ code: 'HELPER_DIED' });
    await c.request('hello', {});
    expect(c.helperPid).not.toBe(first);
    await c.close();
  });
});
