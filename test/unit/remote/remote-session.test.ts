import { spawn } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { parseHostUrl } from '../../../electron/backend/remote/host-url';
import { RemoteSession } from '../../../electron/backend/remote/remote-session';
import type { RemoteTransport } from '../../../electron/backend/remote/transport';

/** A transport whose "remote" is a local sh running `script` (what the session's framing sees is the same). */
const fake = (script: string): RemoteTransport => ({
  address: parseHostUrl('ssh://fake'),
  run: async () => ({ code: 0, signal: null, stdout: '', stderr: '' }),
  spawn: () => spawn('sh', ['-c', script], { stdio: ['pipe', 'pipe', 'pipe'] }),
  spawnConstant: () => spawn('true'),
  close: async () => undefined,
});

describe('RemoteSession', () => {
  it('one answer per request, read up to its done line, over one channel', async () => {
    const s = new RemoteSession(fake(`n=0; while read -r req; do n=$((n+1)); printf 'part %s\\n' "$n"; printf 'rest %s %s\\n' "$req" "$n"; echo vethscope-done; done`));
    try {
      expect(await s.request('discover', 5000)).toBe('part 1\nrest discover 1\n');
      expect(await s.request('discover', 5000)).toBe('part 2\nrest discover 2\n'); // the same shell: its counter went on
    } finally {
      s.close();
    }
  });

  it('a remote that dies fails the waiting request with why, and the next request starts a new session', async () => {
    const s = new RemoteSession(fake(`read -r req; echo 'ssh: connect to host fake port 22: Connection refused' >&2; exit 255`));
    await expect(s.request('discover', 5000)).rejects.toThrow(/fake: it cannot be reached over SSH \(ssh: connect to host fake port 22: Connection refused\)/);
    await expect(s.request('discover', 5000)).rejects.toThrow(/cannot be reached/);
    s.close();
  });

  it('a remote that never answers fails after the timeout; one that answers out of turn is ignored', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const s = new RemoteSession(fake(`echo unasked; while read -r req; do read -r never; done`));
    try {
      const answer = s.request('discover', 20_000);
      vi.advanceTimersByTime(20_000);
      await expect(answer).rejects.toThrow(/fake: no answer within 20 s/);
    } finally {
      vi.useRealTimers();
      s.close();
    }
  });
});
