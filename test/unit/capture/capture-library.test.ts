// Saved captures trust nothing found in the captures folder: a planted sidecar or link
// can make the app neither delete, stream, nor open a file outside it, nor overwrite one.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CaptureInfo } from '../../../shared/capture';
import { Backend } from '../../../electron/backend/backend';
import { CaptureService } from '../../../electron/backend/capture/capture-service';
import { writeSidecar } from '../../../electron/backend/capture/capture-library';
import { ensurePrivateDir } from '../../../electron/backend/capture/output';
import type { TopologyService } from '../../../electron/backend/topology/topology-service';

const noHelper = { request: async () => ({}), on: () => () => undefined, onExitEvent: () => () => undefined, status: () => ({ available: false, mode: 'none' as const }), start: async () => undefined };

function sidecarFor(file: string, files: string[]): string {
  const info: Partial<CaptureInfo> = {
    id: 'x', state: 'stopped', reason: 'user', error: null, format: 'pcapng', filter: '', targets: [], interfaces: [], files,
    startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:01.000Z', packets: 1, bytes: 1, dropped: 0, packetsPerSec: 0, bytesPerSec: 0, gaps: [],
  };
  return JSON.stringify({ vethscope: 1, ...info });
}

describe('saved captures: nothing in the folder is trusted', () => {
  let base: string;
  let dir: string;
  let outside: string;
  let backend: Backend;
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'vsl-lib-'));
    dir = join(base, 'caps');
    // Beside it, with a name the old prefix check took for "inside": caps-evil starts with caps.
    outside = join(base, 'caps-evil');
    mkdirSync(dir);
    mkdirSync(outside);
    backend = new Backend();
    const topology = { discover: async () => ({}), latest: () => null, docker: { ping: async () => 'OK' } } as unknown as TopologyService;
    new CaptureService({ topology, helper: noHelper as never, summarize: () => ({ src: '', dst: '', protocol: '', info: '' }), capturesDir: dir, env: { PATH: '/usr/bin:/bin' }, checkFilter: async () => undefined }).register(backend);
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  const listed = async () => {
    const r = await backend.call('listCaptures', {});
    if (!r.ok) throw new Error(r.error.message);
    return r.result;
  };

  it('a planted sidecar naming files elsewhere: listing, delete and download see only the folder\'s own file', async () => {
    const victim = join(outside, 'precious.pcapng');
    writeFileSync(victim, 'not yours');
    const own = join(dir, 'web_2026-01-01T00-00-00.pcapng');
    writeFileSync(own, 'pcapng');
    writeFileSync(`${own}.json`, sidecarFor(own, [own, victim, `${dir}/../caps-evil/precious.pcapng`, '/etc/passwd']));
    const [info] = await listed();
    expect(info!.files).toEqual([own]);
    expect(await backend.captureFile(info!.id)).toBe(own);
    const del = await backend.call('deleteCapture', { id: info!.id });
    expect(del.ok && del.result.deleted).toEqual([own, `${own}.json`]);
    expect(readFileSync(victim, 'utf8')).toBe('not yours');
  });

  it('a link named like a capture is not a capture: not listed, not downloadable, not deletable', async () => {
    const victim = join(outside, 'secret.pcapng');
    writeFileSync(victim, 'secret');
    symlinkSync(victim, join(dir, 'evil.pcapng'));
    symlinkSync('/etc/passwd', join(dir, 'passwd.pcap'));
    expect(await listed()).toEqual([]);
    expect(await backend.captureFile('file:evil.pcapng')).toBeNull();
    expect(await backend.call('deleteCapture', { id: 'file:evil.pcapng' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await backend.call('openCapture', { id: 'file:passwd.pcap', with: 'folder' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await backend.call('deleteCapture', { id: 'file:../caps-evil/secret.pcapng' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(readFileSync(victim, 'utf8')).toBe('secret');
  });

  it('writing a sidecar replaces a planted link instead of writing through it; sidecars are 0600', async () => {
    const victim = join(outside, 'overwrite-me');
    writeFileSync(victim, 'original');
    const own = join(dir, 'db_2026-01-01T00-00-00.pcapng');
    writeFileSync(own, 'pcapng');
    symlinkSync(victim, `${own}.json`);
    await writeSidecar(JSON.parse(sidecarFor(own, [own])));
    expect(readFileSync(victim, 'utf8')).toBe('original');
    expect(lstatSync(`${own}.json`).isSymbolicLink()).toBe(false);
    expect(statSync(`${own}.json`).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(`${own}.json`, 'utf8')).files).toEqual(['db_2026-01-01T00-00-00.pcapng']);
  });

  it('the captures folder is created 0700, and one of ours left open to others is closed', async () => {
    const fresh = join(base, 'fresh');
    await ensurePrivateDir(fresh);
    expect(statSync(fresh).mode & 0o777).toBe(0o700);
    const old = join(base, 'old');
    mkdirSync(old, { mode: 0o755 });
    await ensurePrivateDir(old);
    expect(statSync(old).mode & 0o777).toBe(0o700);
    expect(existsSync(old)).toBe(true);
  });
});
