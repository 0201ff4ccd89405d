import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CAPTURE, CLOCK, DISCOVER, PROBE, RUN_HELPER, SESSION, remoteCommand, shellWord } from '../../../electron/backend/remote/remote-scripts';

describe('the fixed remote command set', () => {
  it('every script is valid POSIX sh', () => {
    for (const s of [PROBE, CLOCK, DISCOVER, CAPTURE, SESSION, RUN_HELPER]) expect(spawnSync('sh', ['-n', '-c', s]).status).toBe(0);
  });

  it('arguments are only the validated tokens: anything else is refused before ssh runs', () => {
    expect(() => remoteCommand(CAPTURE, ['1', '2', 'eth0', '65535', Buffer.from('tcp port 80').toString('base64')])).not.toThrow();
    for (const bad of ['a b', 'a;id', '$(id)', '`id`', "a'b", 'a\nb', 'a"b', 'a|b', 'a&b', 'a>b', '*']) expect(() => remoteCommand(CAPTURE, [bad]), bad).toThrow(/refusing a remote argument/);
  });

  it('the command a remote shell parses runs the constant script with the arguments as data', () => {
    // What sshd hands the login shell, run here by sh: the filter (base64) comes back as the same bytes, nothing evaluated.
    const dir = mkdtempSync(join(tmpdir(), 'vsx-rs-'));
    try {
      const marker = join(dir, 'pwned');
      const evil = `$(touch ${marker}); touch ${marker} \`touch ${marker}\``;
      const echoBack = `printf '%s' "$2" | base64 -d`;
      const out = execFileSync('sh', ['-c', remoteCommand(echoBack, [Buffer.from(evil).toString('base64')], false)], { encoding: 'utf8' });
      expect(out).toBe(evil);
      expect(existsSync(marker)).toBe(false);
      expect(shellWord("it's")).toBe(`'it'\\''s'`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the capture script builds the SSH exclusion from $SSH_CONNECTION only when it is addresses and ports", () => {
    expect(CAPTURE).toContain('not (host $1 and host $3 and tcp port $2 and tcp port $4)');
    expect(CAPTURE).toMatch(/case "\$1 \$2 \$3 \$4" in \*\[!0-9A-Fa-f:.\\ \]\*\)/);
  });
});
