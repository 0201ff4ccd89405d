// The real HostFiles: root reads an engine's state file only as its owner wrote it.
import { chownSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readJson, realHostFiles } from '../../../electron/engines/host-files';

const dir = mkdtempSync(join(tmpdir(), 'vsx-hostfiles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const isRoot = process.getuid?.() === 0;
const me = process.getuid?.() ?? 0;

describe('realHostFiles.read', () => {
  writeFileSync(join(dir, 'config.json'), '{"annotations":{"a":"b"}}');
  symlinkSync(join(dir, 'config.json'), join(dir, 'link.json'));
  writeFileSync(join(dir, 'big.json'), 'x'.repeat(2000));

  it('reads a file its expected owner wrote', () => {
    expect(readJson(realHostFiles, join(dir, 'config.json'), { owner: me })).toEqual({ annotations: { a: 'b' } });
  });

  it('refuses a symlink in its place (a planted link to another file)', () => {
    expect(realHostFiles.read(join(dir, 'link.json'), { owner: me })).toBeNull();
  });

  it('oneRead: a procfs file written in one go reads whole, and a longer one still to its end or its limit', () => {
    // Uid and Gid lines stay put while the process runs; stat's counters may tick between two reads.
    const status = realHostFiles.read('/proc/self/status', { oneRead: true })!;
    expect(status.split('\n').filter((l) => /^(Name|Uid|Gid):/.test(l))).toEqual(readFileSync('/proc/self/status', 'utf8').split('\n').filter((l) => /^(Name|Uid|Gid):/.test(l)));
    expect(realHostFiles.read('/proc/self/stat', { oneRead: true })).toMatch(/^\d+ \(.*\) [A-Z] \d+ .*\n$/s);
    writeFileSync(join(dir, 'long.txt'), 'y'.repeat(100_000));
    expect(realHostFiles.read(join(dir, 'long.txt'), { oneRead: true })).toHaveLength(100_000);
    expect(realHostFiles.read(join(dir, 'long.txt'), { oneRead: true, maxBytes: 99_999 })).toBeNull();
  });

  it('refuses a file longer than asked', () => {
    expect(realHostFiles.read(join(dir, 'big.json'), { maxBytes: 1000 })).toBeNull();
    expect(realHostFiles.read(join(dir, 'big.json'), { maxBytes: 4000 })).toHaveLength(2000);
  });

  it.skipIf(!isRoot)('refuses, as root, a file another user owns where root expected its own', () => {
    const planted = join(dir, 'planted.json');
    writeFileSync(planted, '{"annotations":{"io.kubernetes.pod.name":"planted"}}');
    chownSync(planted, 65534, 65534);
    expect(realHostFiles.read(planted, { owner: 0 })).toBeNull();
    expect(realHostFiles.read(planted, { owner: 65534 })).not.toBeNull();
  });

  it('reads procfs files, which report size 0', () => {
    expect(realHostFiles.read('/proc/self/stat')).toMatch(/^\d+ \(/);
  });
});
