// Section 3: faults during real captures on this suite's own dockerd: container killed,
// container restarted (follow), dockerd stopped and started again, the helper SIGKILLed,
// the CLI SIGKILLed, the disk full. Every file left behind is read by tshark and capinfos
// and its packet count compared with what vethscope reported: data lost must be 0.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CaptureInfo } from '../../shared/capture';
import { createServices, type Services } from '../../electron/backend/create-backend';
import { docker, dockerTry, removeSuiteContainers, runContainer, testEnv } from '../support/env';
import { record } from './metrics';
import { alive, checkCaptureFile, CLI, descendants, isRoot, sleep, SUITE, waitFor } from './support';

const HARD_ROOT = process.env.VETHSCOPE_TEST_ROOT ?? '/tmp/vethscope-hard';
const DAEMON_ENV = { ...process.env, VETHSCOPE_TEST_ROOT: HARD_ROOT, VETHSCOPE_TEST_BRIDGE: process.env.VETHSCOPE_TEST_BRIDGE ?? 'vshbr0', VETHSCOPE_TEST_CIDR: process.env.VETHSCOPE_TEST_CIDR ?? '10.214.0.1/24' };
const DAEMON_SH = resolve(__dirname, '../support/daemon.sh');

function ipOf(name: string): string {
  return docker('inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', name);
}
/** Bounded ICMP between our own two containers. */
function ping(from: string, to: string, count: number, interval = '0.05', size = 56): void {
  dockerTry('exec', from, 'ping', '-q', '-c', String(count), '-i', interval, '-s', String(size), '-W', '1', to);
}

async function ended(s: Services, id: string, timeoutMs = 20_000): Promise<CaptureInfo> {
  return waitFor(`capture ${id} to end`, async () => {
    const r = await s.backend.call('listCaptures', {});
    const c = r.ok ? r.result.find((x) => x.id === id) : undefined;
    return c && (c.state === 'stopped' || c.state === 'failed') ? c : null;
  }, timeoutMs, 100);
}

const unread = (j: { unreadable: string[] }) => (j.unreadable.length ? `; UNREADABLE: ${j.unreadable.join('; ')}` : '');

/** Why tshark/capinfos cannot read `file`, or null when they can (the count goes to `found`). */
function readable(file: string, found: { n: number }): string | null {
  try {
    found.n += checkCaptureFile(file).tshark;
    return null;
  } catch (e) {
    return (e as Error).message.slice(0, 160);
  }
}

/**
 * Every file of a finished capture read by tshark; returns packets reported minus packets found
 * (0 = nothing lost). An unreadable file counts as holding nothing (its packets are lost), and is
 * named, so the check is still recorded in the summary before any expectation fails.
 */
function judge(info: CaptureInfo): { files: number; lost: number; found: number; diff: number; unreadable: string[] } {
  const found = { n: 0 };
  const unreadable = info.files.map((f) => readable(f, found)).filter((e): e is string => e !== null);
  // lost: reported but not in the file; diff: any disagreement at all (must be 0 unless the helper died).
  return { files: info.files.length, lost: Math.max(0, info.packets - found.n), found: found.n, diff: Math.abs(info.packets - found.n) + unreadable.length, unreadable };
}

describe.skipIf(!isRoot)('3. faults during capture', () => {
  let s: Services;
  let dir: string;

  beforeAll(() => {
    removeSuiteContainers(SUITE);
    runContainer(SUITE, 'vsx-f-a');
    runContainer(SUITE, 'vsx-f-b');
    dir = mkdtempSync('/tmp/vsx-faults-');
    s = createServices({ env: testEnv(), capturesDir: dir });
  }, 120_000);
  // Each fault starts from both containers running, whatever the previous one left (a failed check must not fail the rest).
  beforeEach(async () => {
    for (const c of ['vsx-f-a', 'vsx-f-b']) dockerTry('start', c);
    await waitFor('both containers running', () => ['vsx-f-a', 'vsx-f-b'].every((c) => dockerTry('inspect', '-f', '{{.State.Running}}', c).stdout === 'true'), 30_000, 200);
  }, 60_000);
  afterAll(async () => {
    await s?.backend.close();
    spawnSync('umount', [join(dir, 'full')]);
    removeSuiteContainers(SUITE);
    rmSync(dir, { recursive: true, force: true });
  });

  it('container killed mid-capture: target-gone, file whole', async () => {
    const st = await s.backend.call('startCapture', { targets: [{ type: 'container', container: 'vsx-f-a' }], output: { dir } });
    expect(st.ok, JSON.stringify(st)).toBe(true);
    if (!st.ok) return;
    ping('vsx-f-b', ipOf('vsx-f-a'), 20);
    // The last reply reaches the file first (killed the same millisecond, 39 of 40 were seen once): the kill is what is tested.
    await sleep(300);
    docker('kill', 'vsx-f-a');
    const info = await ended(s, st.result.id);
    const j = judge(info);
    const ok = info.reason === 'target-gone' && j.diff === 0 && info.packets >= 40;
    record({ section: '3 faults', check: 'container killed (docker kill)', faults: 1, files: j.files, lost: j.lost, detail: `reason=${info.reason} reported=${info.packets} tshark=${j.found}${unread(j)}`, ok });
    expect(info.reason).toBe('target-gone');
    expect(info.packets).toBeGreaterThanOrEqual(40);
    expect(j.diff).toBe(0);
  });

  it('container restarted with follow: re-attached, gap recorded, nothing lost', async () => {
    const st = await s.backend.call('startCapture', { targets: [{ type: 'container', container: 'vsx-f-a' }], follow: true, output: { dir } });
    expect(st.ok, JSON.stringify(st)).toBe(true);
    if (!st.ok) return;
    const id = st.result.id;
    ping('vsx-f-b', ipOf('vsx-f-a'), 10);
    docker('restart', '-t', '0', 'vsx-f-a');
    await waitFor('re-attach', async () => {
      const r = await s.backend.call('listCaptures', {});
      const c = r.ok ? r.result.find((x) => x.id === id) : undefined;
      return c && c.gaps[0]?.to ? c : null;
    }, 20_000);
    ping('vsx-f-b', ipOf('vsx-f-a'), 10);
    await sleep(700);
    const stop = await s.backend.call('stopCapture', { id });
    expect(stop.ok, JSON.stringify(stop)).toBe(true);
    if (!stop.ok) return;
    const info = stop.result;
    const j = judge(info);
    const ok = info.reason === 'user' && info.gaps.length >= 1 && j.diff === 0 && info.packets >= 40;
    record({ section: '3 faults', check: 'container restarted, --follow', faults: 1, files: j.files, lost: j.lost, detail: `gaps=${info.gaps.length} interfaces=${info.interfaces.length} reported=${info.packets} tshark=${j.found}${unread(j)}`, ok });
    expect(info.gaps.length).toBeGreaterThanOrEqual(1);
    expect(j.diff).toBe(0);
  });

  it('dockerd stopped and started again: said so, capture ended cleanly, recovers by itself', async () => {
    const st = await s.backend.call('startCapture', { targets: [{ type: 'container', container: 'vsx-f-a' }], output: { dir } });
    expect(st.ok, JSON.stringify(st)).toBe(true);
    if (!st.ok) return;
    ping('vsx-f-b', ipOf('vsx-f-a'), 10);
    // Only this suite's daemon: its own pidfile under /tmp/vethscope-hard.
    const pid = Number(readFileSync(join(HARD_ROOT, 'docker.pid'), 'utf8'));
    process.kill(pid, 'SIGTERM');
    await waitFor('dockerd to exit', () => !alive(pid), 30_000, 100);
    const down = await waitFor('getStatus to say docker is down', async () => {
      const r = await s.backend.call('getStatus', {});
      return r.ok && !r.result.docker.available ? r.result : null;
    }, 15_000, 300);
    const topoDown = await s.backend.call('getTopology', {});
    const info = await ended(s, st.result.id, 30_000);
    execFileSync('bash', [DAEMON_SH, 'start'], { env: DAEMON_ENV, stdio: ['ignore', 'ignore', 'inherit'] });
    // The same backend, never recreated: it must notice by itself.
    const t0 = Date.now();
    const up = await waitFor('getStatus to say docker is back', async () => {
      const r = await s.backend.call('getStatus', {});
      return r.ok && r.result.docker.available ? r.result : null;
    }, 30_000, 300);
    const recoverMs = Date.now() - t0;
    const topoUp = await s.backend.call('getTopology', {});
    for (const c of ['vsx-f-a', 'vsx-f-b']) dockerTry('start', c);
    const j = judge(info);
    const downMsg = down.docker.error?.message ?? '';
    const topoDownOk = topoDown.ok && topoDown.result.docker.available === false && Boolean(topoDown.result.docker.error?.message);
    const ok = downMsg.length > 0 && topoDownOk && topoUp.ok && topoUp.result.docker.available === true && j.diff === 0 && up.docker.available;
    record({ section: '3 faults', check: 'dockerd stopped and started again', faults: 2, files: j.files, lost: j.lost, detail: `down: "${downMsg.slice(0, 80)}" topology.docker.available=${topoDown.ok && topoDown.result.docker.available}; capture reason=${info.reason}; recovered ${recoverMs} ms after restart; reported=${info.packets} tshark=${j.found}${unread(j)}`, ok });
    expect(downMsg).not.toBe('');
    expect(topoDownOk, JSON.stringify(topoDown.ok && topoDown.result.docker)).toBe(true);
    expect(topoUp.ok && topoUp.result.docker.available).toBe(true);
    expect(j.diff).toBe(0);
  });

  it('helper SIGKILLed: capture reports helper-died, file readable, next action starts a new helper', async () => {
    await waitFor('vsx-f-a running', () => docker('inspect', '-f', '{{.State.Running}}', 'vsx-f-a') === 'true', 20_000);
    const st = await s.backend.call('startCapture', { targets: [{ type: 'container', container: 'vsx-f-a' }], output: { dir } });
    expect(st.ok, JSON.stringify(st)).toBe(true);
    if (!st.ok) return;
    const helperPid = s.helper.helperPid!;
    ping('vsx-f-b', ipOf('vsx-f-a'), 20);
    await sleep(1200); // two stats periods: the backend has heard the final count
    const before = (await s.backend.call('listCaptures', {})) as { ok: true; result: CaptureInfo[] };
    const lastReported = before.result.find((c) => c.id === st.result.id)!.packets;
    const kids = descendants(helperPid).map((p) => p.pid);
    process.kill(helperPid, 'SIGKILL');
    const info = await ended(s, st.result.id, 10_000);
    await sleep(500);
    const orphans = kids.filter((k) => alive(k));
    const status = await s.backend.call('getStatus', {});
    const j = judge(info);
    // Next action: a new helper, a working capture.
    const again = await s.backend.call('startCapture', { targets: [{ type: 'container', container: 'vsx-f-a' }], stop: { packetCount: 6 }, output: { dir } });
    let newPid: number | null = null;
    let j2: ReturnType<typeof judge> = { files: 0, lost: 0, found: 0, diff: -1, unreadable: [] }; // -1: the second capture never ran
    if (again.ok) {
      newPid = s.helper.helperPid;
      ping('vsx-f-b', ipOf('vsx-f-a'), 5);
      const info2 = await ended(s, again.result.id);
      j2 = judge(info2);
    }
    // After a SIGKILL the backend knows only the last stats event (every 500 ms): the file may hold
    // a few packets more (written after it), never fewer.
    const ok = info.reason === 'helper-died' && orphans.length === 0 && j.lost === 0 && lastReported === info.packets && again.ok && newPid !== null && newPid !== helperPid && j2.diff === 0;
    record({ section: '3 faults', check: 'helper SIGKILLed mid-capture', faults: 1, files: j.files + j2.files, lost: j.lost + j2.lost, detail: `state=${info.state} reason=${info.reason} error=${info.error?.code} status.privileged=${status.ok && JSON.stringify(status.result.privileged).slice(0, 120)} orphans=${orphans.length} reported=${info.packets} tshark=${j.found} (file holds ${j.found - info.packets} more than last reported); next capture helper pid ${helperPid}→${newPid}${unread(j)}${unread(j2)}`, ok });
    expect(info.reason).toBe('helper-died');
    expect(orphans).toEqual([]);
    expect(j.lost).toBe(0);
    // The count shown before the kill (dumpcap's own, while nobody watches the packet list) was the file's.
    expect(lastReported).toBe(info.packets);
    expect(again.ok, JSON.stringify(again)).toBe(true);
    expect(newPid).not.toBe(helperPid);
    expect(j2.diff).toBe(0);
  });

  it('CLI SIGKILLed: no helper or tcpdump left after 2 s, its file readable', async () => {
    const out = join(dir, 'cli');
    mkdirSync(out);
    const child = spawn(process.execPath, [CLI, 'capture', 'vsx-f-a', '-o', `${out}/`], { env: testEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    await waitFor('the CLI to start capturing', () => /capturing .* into /.test(err), 60_000);
    ping('vsx-f-b', ipOf('vsx-f-a'), 10);
    await sleep(600);
    const tree = descendants(child.pid!).map((p) => ({ pid: p.pid, argv: p.argv.join(' ').slice(0, 80) }));
    child.kill('SIGKILL');
    await sleep(2000);
    const left = tree.filter((p) => alive(p.pid));
    const files = readdirSync(out).filter((f) => /\.pcapng$/.test(f));
    const found = { n: 0 };
    const unreadable = files.map((f) => readable(join(out, f), found)).filter((e): e is string => e !== null);
    const ok = tree.length > 0 && left.length === 0 && files.length === 1 && unreadable.length === 0;
    record({ section: '3 faults', check: 'CLI SIGKILLed mid-capture', faults: 1, files: files.length, detail: `process tree=${tree.length} (${tree.map((t) => t.argv.split(' ')[0]!.split('/').pop()).join(',')}) alive after 2 s=${left.length}; ${files.length} file(s), tshark reads ${found.n} packets${unreadable.length ? `; UNREADABLE: ${unreadable.join('; ')}` : ''} (the CLI died before reporting a count)`, ok });
    expect(tree.length).toBeGreaterThan(0);
    expect(left.map((p) => p.argv)).toEqual([]);
    expect(files.length).toBe(1);
    expect(unreadable, 'the file a SIGKILLed CLI leaves is readable').toEqual([]);
  });

  it('disk full on a 512 KiB tmpfs: disk-full, file whole up to its last packet', async () => {
    const full = join(dir, 'full');
    mkdirSync(full);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'vsx-full', full]);
    try {
      const st = await s.backend.call('startCapture', { targets: [{ type: 'container', container: 'vsx-f-a' }], output: { dir: full } });
      expect(st.ok, JSON.stringify(st)).toBe(true);
      if (!st.ok) return;
      // ~1.1 MB of ICMP (both directions): more than the tmpfs holds. Bounded: 400 packets.
      ping('vsx-f-b', ipOf('vsx-f-a'), 400, '0.01', 1400);
      const info = await ended(s, st.result.id, 30_000);
      const j = judge(info);
      const ok = info.reason === 'disk-full' && j.diff === 0 && info.packets > 0;
      record({ section: '3 faults', check: 'disk full (tmpfs size=512k)', faults: 1, files: j.files, lost: j.lost, detail: `state=${info.state} reason=${info.reason} error=${info.error?.code} reported=${info.packets} tshark=${j.found} file=${info.files.map((f) => (existsSync(f) ? `${Math.round(Number(execFileSync('stat', ['-c', '%s', f], { encoding: 'utf8' })) / 1024)} KiB` : 'missing')).join(',')}${unread(j)}`, ok });
      expect(info.reason).toBe('disk-full');
      expect(j.diff).toBe(0);
    } finally {
      spawnSync('umount', [full]);
    }
  });
});
