import { chmodSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { controlDir, describeSshFailure } from '../../../electron/backend/remote/ssh';

describe('describeSshFailure', () => {
  const say = (stderr: string) => describeSshFailure('beta', { code: 255, stderr });
  it('an unknown host key is refused with what to do', () => {
    const e = say('No ED25519 host key is known for 10.226.2.2 and you have requested strict checking.\nHost key verification failed.\n');
    expect(e.code).toBe('PERMISSION_DENIED');
    expect(e.message).toMatch(/^beta: its host key is not in your known_hosts: refusing an unknown host \(connect once with ssh beta/);
  });
  it('a changed host key says so', () => {
    expect(say('@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@\nHost key verification failed.').message).toMatch(/CHANGED.*ssh-keygen -R beta/);
  });
  it('keys refused, no route, no such host, sudo wanting a password', () => {
    expect(say('root@10.0.0.1: Permission denied (publickey).')).toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringMatching(/never asks for a password/) });
    expect(say('ssh: connect to host 10.226.2.2 port 22: Connection refused').message).toMatch(/cannot be reached over SSH/);
    expect(say('ssh: Could not resolve hostname nowhere: Name or service not known').code).toBe('NOT_FOUND');
    expect(say('sudo: a password is required').message).toMatch(/passwordless sudo/);
  });
});

describe('controlDir', () => {
  it('keeps ControlMaster sockets in a folder only this user can enter, and refuses one others can', () => {
    const base = mkdtempSync(join(tmpdir(), 'vsx-cd-'));
    try {
      const dir = controlDir({ XDG_RUNTIME_DIR: base });
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      chmodSync(dir, 0o755);
      expect(() => controlDir({ XDG_RUNTIME_DIR: base })).toThrow(expect.objectContaining({ code: 'PERMISSION_DENIED' }));
      rmSync(dir, { recursive: true });
      symlinkSync(base, dir);
      expect(() => controlDir({ XDG_RUNTIME_DIR: base })).toThrow(/only you can enter/);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
