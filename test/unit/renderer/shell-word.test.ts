import { describe, expect, it } from 'vitest';
import { shellWord, tcpdumpCommand } from '../../../renderer/src/lib/format';

describe('shellWord', () => {
  it('quotes what a shell would misread, so the copied tcpdump command names exactly that interface', () => {
    expect(shellWord('veth1a2b')).toBe('veth1a2b');
    expect(shellWord('vs\x1b[1mx')).toBe("$'vs\\x1b[1mx'");
    expect(shellWord("it's")).toBe("$'it\\'s'");
    expect(tcpdumpCommand(null, { name: 'vs\x1bx', hostPeer: null } as never, '/run/netns/a b')).toBe("nsenter --net=$'/run/netns/a b' tcpdump -i $'vs\\x1bx' -w capture-vs_x.pcap");
  });
});
