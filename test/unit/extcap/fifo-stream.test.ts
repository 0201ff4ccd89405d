// The Backend's stream output for the extcap: an existing FIFO opened for writing once its
// reader is there, refused unless it is a FIFO; pcapng written into it in order, readable
// by tshark; EPIPE when the reader goes is the end, said plainly.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync, readSync, symlinkSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CaptureOutput } from '../../../electron/backend/capture/writer/capture-output';
import { openFifoWriter } from '../../../electron/backend/capture/writer/fifo';
import { tempDir } from '../../support/env';
import { hasTshark, NO_TSHARK, tsharkFields } from '../../support/tshark';

/** A 42-byte ICMP echo request in Ethernet. */
const PACKET = Buffer.from('ffffffffffff00112233445508004500001c000000004001000000a0000010a0000020800f7ff00000000', 'hex');

function drain(fd: number): Buffer {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(65536);
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') break;
      throw e;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks);
}

describe('openFifoWriter', () => {
  let t: ReturnType<typeof tempDir>;
  let fifo: string;
  beforeEach(() => {
    t = tempDir('vsx-fifo-');
    fifo = t.path('wireshark_extcap_x');
    execFileSync('mkfifo', ['-m', '0600', fifo]);
  });
  afterEach(() => t.remove());

  it('opens once its reader has it open; nobody reading is TARGET_GONE when the wait is over', async () => {
    await expect(openFifoWriter(fifo, 0)).rejects.toMatchObject({ code: 'TARGET_GONE', message: expect.stringMatching(/nobody opened .* for reading/) });
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const fd = await openFifoWriter(fifo, 0);
    expect(fd).toBeGreaterThan(2);
    closeSync(fd);
    closeSync(reader);
  });

  it('a regular file named as the FIFO is refused and left as it was; a symlink is not followed', async () => {
    const file = t.path('notes.txt');
    writeFileSync(file, 'keep me');
    await expect(openFifoWriter(file, 0)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/is not a FIFO/) });
    expect(readFileSync(file, 'utf8')).toBe('keep me');
    const link = t.path('link');
    symlinkSync(fifo, link);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    await expect(openFifoWriter(link, 0)).rejects.toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringMatching(/symbolic link/) });
    closeSync(reader);
  });

  it.skipIf(!hasTshark)(`a stream: whole blocks in order, readable by tshark, no file kept; EPIPE once its reader is gone (${hasTshark ? 'tshark' : NO_TSHARK})`, async () => {
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const fd = await openFifoWriter(fifo, 0);
    const out = new CaptureOutput({ path: fifo, format: 'pcapng', ring: null, sectionComment: 'test', stream: fd });
    out.open();
    const idb = out.addInterface({ linkType: 1, snaplen: 262144, name: 'web-1/eth0 (veth1)', tsresol: 6, nanos: false });
    out.writePacket(idb, { tsSec: 1_700_000_000, tsFrac: 250_000, capLen: PACKET.length, origLen: PACKET.length, data: PACKET });
    await out.drain();
    expect(out.files).toEqual([]);
    const file = t.path('got.pcapng');
    writeFileSync(file, drain(reader));
    expect(tsharkFields(file, ['frame.interface_name', 'frame.time_epoch'])).toEqual([['web-1/eth0 (veth1)', '1700000000.250000000']]);
    closeSync(reader);
    const errors: string[] = [];
    out.onError = (e) => void errors.push(e.message);
    out.writePacket(idb, { tsSec: 1_700_000_001, tsFrac: 0, capLen: PACKET.length, origLen: PACKET.length, data: PACKET });
    await expect(out.drain()).rejects.toThrow(/nothing reads .* any more/);
    expect(errors).toEqual([`nothing reads ${fifo} any more (its reader closed it)`]);
  });
});
