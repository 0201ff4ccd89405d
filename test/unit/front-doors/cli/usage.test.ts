// Usage errors exit 2 from every command, and every command answers --help (issue 14:
// they exited 2 or 64 depending on the command, and `veth --help` was refused).
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../../electron/front-doors/cli/main';
import type { CliIo } from '../../../../electron/front-doors/cli/io';

function fakeIo(): CliIo & { text: () => string; stdout: string[] } {
  const stdout: string[] = [];
  const all: string[] = [];
  return { stdout, text: () => all.join('\n'), isTTY: false, out: (t) => (stdout.push(t), all.push(t)), err: (t) => void all.push(t) };
}

const USAGE_ERRORS: string[][] = [
  [],
  ['frobnicate'],
  ['topology', '--bogus'],
  ['topology', 'extra-word'],
  ['veth'],
  ['veth', 'a', 'b'],
  ['veth', '--bogus', 'web'],
  ['capture'],
  ['capture', 'web', '--count', 'many'],
  ['capture', 'web', '--bogus'],
  ['top', '--interval', '0'],
  ['top', '--samples', '-1'],
  ['top', '--bogus'],
  ['serve', '--port', 'eighty'],
  ['serve', '--bogus'],
  ['doctor', '--bogus'],
  ['install-helper', '--bogus'],
  ['install-helper', '--remove', '--group', 'x'],
];

describe('vethscope usage errors', () => {
  it.each(USAGE_ERRORS.map((a) => [a.join(' ') || '(no command)', a]))('%s exits 2', async (_name, argv) => {
    const io = fakeIo();
    expect(await runCli(argv as string[], io)).toBe(2);
    expect(io.text()).toMatch(/usage: vethscope/);
  });

  it('--help says what the exit statuses mean', async () => {
    const io = fakeIo();
    expect(await runCli(['--help'], io)).toBe(0);
    expect(io.text()).toMatch(/exit status: 0 done, 1 failed, 2 usage error/);
    expect(io.text()).toMatch(/compose service/);
  });
});

describe('every command answers --help with its own usage, starting nothing', () => {
  it.each([
    ['veth', /usage: vethscope veth CONTAINER/],
    ['topology', /usage: vethscope topology \[--json\]/],
    ['capture', /usage: vethscope capture TARGET/],
    ['top', /usage: vethscope top/],
    ['serve', /usage: vethscope serve/],
    ['doctor', /usage: vethscope doctor/],
    ['install-helper', /usage: vethscope install-helper/],
  ])('%s --help', async (command, usage) => {
    for (const flag of ['--help', '-h']) {
      const io = fakeIo();
      expect(await runCli([command as string, flag], io)).toBe(0);
      expect(io.stdout.join('\n')).toMatch(usage as RegExp);
    }
  });
});
