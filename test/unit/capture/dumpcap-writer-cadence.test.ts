// How often an idle dumpcap capture wakes the process: a CLI capture (nobody watching the packet
// list, no size or count limit to check) has nothing to read back, so its writer looks once a
// second; watched, or with a limit, four times a second as before.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { DumpcapWriter, type DumpcapWriterOptions } from '../../../electron/backend/capture/writer/dumpcap-writer';
import { interfaceDescriptionBlock, sectionHeaderBlock } from '../../../electron/formats/pcap/pcapng-writer';

const dir = mkdtempSync(join(tmpdir(), 'vs-dccad-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.useRealTimers());
const hooks = { onLimit: () => undefined, onFailure: () => undefined };

/** Wake-ups of the writer's own timer in 10 s of an idle capture. */
async function wakeUps(name: string, watched: boolean, stop: DumpcapWriterOptions['stop']): Promise<number> {
  const path = join(dir, `${name}.pcapng`);
  const w = new DumpcapWriter({ path, sectionComment: 'test', stop }, hooks);
  w.open();
  const pending = await w.prepareInterface({ label: 'web/eth0', comment: '' });
  writeFileSync(pending.output, Buffer.concat([sectionHeaderBlock({}), interfaceDescriptionBlock({ linkType: 1, snaplen: 262144, name: 'web/eth0', tsresol: 6 })]));
  w.confirm(pending, 0);
  w.watch(watched);
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  await w.begin(); // its interface block is there: no wait
  // (tick is private: what each wake-up runs)
  const ticks = vi.spyOn(DumpcapWriter.prototype as unknown as { tick: () => void }, 'tick');
  await vi.advanceTimersByTimeAsync(10_000);
  const n = ticks.mock.calls.length;
  ticks.mockRestore();
  vi.useRealTimers();
  await w.finish([{ index: 0, captured: 0, receivedByFilter: 0, droppedByKernel: 0, ended: 'stopped', message: null }]);
  return n;
}

describe('DumpcapWriter: wake-ups while idle', () => {
  it('nobody watching and no limit: about once a second', async () => {
    const n = await wakeUps('cli', false, {});
    expect(n).toBeGreaterThanOrEqual(9);
    expect(n).toBeLessThanOrEqual(11);
  });

  it('watched, or a size limit to check: four times a second', async () => {
    expect(await wakeUps('watched', true, {})).toBeGreaterThanOrEqual(39);
    expect(await wakeUps('limited', false, { maxBytes: 1 << 20 })).toBeGreaterThanOrEqual(39);
  });
});
