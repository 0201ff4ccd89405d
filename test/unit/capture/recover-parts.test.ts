// A pcapng capture of several interfaces whose writer was killed before merging: the next
// listing of the captures folder finishes the merge, but only of folders whose owner is gone,
// only of our own real files, and never through a link.
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enhancedPacketBlock, interfaceDescriptionBlock, sectionHeaderBlock } from '../../../electron/formats/pcap/pcapng-writer';
import { CaptureLibrary } from '../../../electron/backend/capture/capture-library';
import { partsDirOf } from '../../../electron/backend/capture/writer/dumpcap-writer';
import { recoverInterruptedCaptures, writePartsOwner } from '../../../electron/backend/capture/writer/recover-parts';
import { PcapngTail } from '../../../electron/backend/capture/writer/pcapng-tail';
import { hasTshark, NO_TSHARK, tsharkFields } from '../../support/tshark';

/** A part as dumpcap writes one, optionally cut mid-block (the writer killed while writing). */
function pcapng(label: string, times: number[], cutBytes = 0): Buffer {
  const frame = Buffer.alloc(60, 0xcd);
  const blocks = [sectionHeaderBlock({ comment: 'dumpcap' }), interfaceDescriptionBlock({ linkType: 1, snaplen: 262144, name: label, tsresol: 6 })];
  for (const us of times) blocks.push(enhancedPacketBlock({ interfaceId: 0, timestamp: BigInt(us), capLen: 60, origLen: 60, data: frame }));
  const all = Buffer.concat(blocks);
  return all.subarray(0, all.length - cutBytes);
}

const packetsIn = (path: string) => {
  const fd = openSync(path, 'r');
  const t = new PcapngTail(fd);
  t.walk(Infinity);
  closeSync(fd);
  return t.packets;
};

/** An owner record naming a process that has exited. */
function deadOwner(dir: string): void {
  const child = spawnSync('/bin/true');
  expect(child.status).toBe(0);
  writeFileSync(join(dir, 'owner.json'), JSON.stringify({ pid: child.pid, start: '1' }));
}

describe.skipIf(!hasTshark)(`interrupted pcapng captures (${hasTshark ? 'tshark' : NO_TSHARK})`, () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'vs-recover-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  /** The state a SIGKILLed writer leaves: the file holds interface 1, the folder the rest. */
  function interrupted(name: string, owner: 'dead' | 'alive' | 'none' = 'dead'): { file: string; dir: string } {
    const file = join(folder, name);
    writeFileSync(file, pcapng('web/eth0', [1_000_000, 3_000_000], 7), { mode: 0o600 });
    const dir = partsDirOf(file);
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, '001.pcapng'), pcapng('db/eth0', [2_000_000, 4_000_000]), { mode: 0o600 });
    if (owner === 'dead') deadOwner(dir);
    if (owner === 'alive') writePartsOwner(dir);
    return { file, dir };
  }

  it('the listing merges the parts in time order into the file and removes the folder', async () => {
    const { file, dir } = interrupted('cap.pcapng');
    expect(packetsIn(file)).toBe(1); // the kill cut its second packet
    const listed = await new CaptureLibrary(folder).list();
    expect(listed.map((c) => c.files)).toEqual([[file]]);
    expect(existsSync(dir)).toBe(false);
    const rows = tsharkFields(file, ['frame.time_epoch', 'frame.interface_name']);
    expect(rows.map((r) => [Number(r[0]), r[1]])).toEqual([
      [1, 'web/eth0'],
      [2, 'db/eth0'],
      [4, 'db/eth0'],
    ]);
  });

  it('a single interface: the cut block is trimmed so every reader opens the file cleanly', async () => {
    const file = join(folder, 'one.pcapng');
    writeFileSync(file, pcapng('web/eth0', [1, 2, 3], 5), { mode: 0o600 });
    const dir = partsDirOf(file);
    mkdirSync(dir, { mode: 0o700 });
    deadOwner(dir);
    expect(await recoverInterruptedCaptures(folder)).toEqual(['one.pcapng']);
    expect(tsharkFields(file, ['frame.number'])).toHaveLength(2);
    expect(existsSync(dir)).toBe(false);
  });

  it('leaves a capture whose owner still runs, and a fresh folder without an owner record', async () => {
    const live = interrupted('live.pcapng', 'alive');
    const young = interrupted('young.pcapng', 'none');
    expect(await recoverInterruptedCaptures(folder)).toEqual([]);
    expect(existsSync(join(live.dir, '001.pcapng'))).toBe(true);
    expect(existsSync(join(young.dir, '001.pcapng'))).toBe(true);
    expect(packetsIn(live.file)).toBe(1);
  });

  it('a reused pid is not the owner: the start time must match too', async () => {
    const { dir } = interrupted('reused.pcapng', 'none');
    writeFileSync(join(dir, 'owner.json'), JSON.stringify({ pid: process.pid, start: 'not-this-one' }));
    expect(await recoverInterruptedCaptures(folder)).toEqual(['reused.pcapng']);
  });

  it('never follows a link: a symlinked parts folder or part, or a capture name that is a link', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'vs-recover-victim-'));
    try {
      const victim = join(elsewhere, 'victim.pcapng');
      const victimBody = pcapng('victim', [9]);
      writeFileSync(victim, victimBody);
      // 1. The capture's name is a link to someone else's file.
      symlinkSync(victim, join(folder, 'link.pcapng'));
      const d1 = partsDirOf(join(folder, 'link.pcapng'));
      mkdirSync(d1);
      writeFileSync(join(d1, '001.pcapng'), pcapng('x', [1]));
      deadOwner(d1);
      // 2. The parts folder is a link to a folder elsewhere.
      const f2 = join(folder, 'dirlink.pcapng');
      writeFileSync(f2, pcapng('y', [1]));
      mkdirSync(join(elsewhere, 'parts'));
      writeFileSync(join(elsewhere, 'parts', '001.pcapng'), pcapng('z', [2]));
      deadOwner(join(elsewhere, 'parts'));
      symlinkSync(join(elsewhere, 'parts'), partsDirOf(f2));
      // 3. A part is a link to the victim.
      const f3 = join(folder, 'partlink.pcapng');
      writeFileSync(f3, pcapng('w', [1]));
      const d3 = partsDirOf(f3);
      mkdirSync(d3);
      symlinkSync(victim, join(d3, '001.pcapng'));
      deadOwner(d3);
      expect(await recoverInterruptedCaptures(folder)).toEqual(['partlink.pcapng']);
      expect(readFileSync(victim)).toEqual(victimBody);
      expect(existsSync(join(elsewhere, 'parts', '001.pcapng'))).toBe(true);
      expect(tsharkFields(f3, ['frame.interface_name']).map((r) => r[0])).toEqual(['w']); // the linked part was left out
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
