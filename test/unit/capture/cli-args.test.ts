import { describe, expect, it } from 'vitest';
import { parseCaptureArgs } from '../../../electron/front-doors/cli/capture-command';

describe('vethscope capture arguments', () => {
  it('maps options onto a CaptureRequest', () => {
    expect(parseCaptureArgs(['web', 'host:eth0', '--iface', 'eth0', '--filter', 'icmp', '--duration', '2', '--count', '10', '--max-size', '5', '--snaplen', '128', '--follow', '-o', '/tmp/out/'])).toEqual({
      targets: [{ type: 'container', container: 'web', interfaces: ['eth0'] }, { type: 'host', iface: 'eth0' }],
      filter: 'icmp',
      snaplen: 128,
      format: 'pcapng',
      stop: { durationSec: 2, packetCount: 10, maxBytes: 5_000_000 },
      ring: undefined,
      follow: true,
      output: { dir: '/tmp/out/' },
    });
  });
  it('uses --max-size per file with --ring', () => {
    const r = parseCaptureArgs(['web', '--ring', '3', '--max-size', '1', '-o', 'f.pcapng']);
    expect(r.ring).toEqual({ files: 3, fileBytes: 1_000_000 });
    expect(r.stop).toBeUndefined();
    expect(r.output).toEqual({ path: 'f.pcapng' });
  });
  it('rejects bad usage with status 2', () => {
    for (const args of [[], ['web', '--count', 'x'], ['web', '--ring', '3'], ['web', '--format', 'txt'], ['host:eth0', '--iface', 'eth0'], ['netns:x']]) {
      let status = 0;
      try {
        parseCaptureArgs(args);
      } catch (e) {
        status = (e as { status: number }).status;
      }
      expect(status, args.join(' ')).toBe(2);
    }
  });
});
