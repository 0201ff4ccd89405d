// Help and usage errors come from the help texts alone: the launcher answers them without
// loading the CLI bundle, and says exactly what the full CLI would.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../../electron/front-doors/cli/main';
import { COMMAND_USAGE, answerWithoutBackend } from '../../../../electron/front-doors/cli/usage';

const ROOT = resolve(__dirname, '../../../..');

async function full(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t), isTTY: false });
  return { status, out: out.join('\n') || undefined, err: err.join('\n') || undefined };
}

const cases = [[], ['help'], ['--help'], ['-h'], ['nosuch'], ['bo\u001bgus'], ...Object.keys(COMMAND_USAGE).flatMap((c) => [[c, '--help'], [c, 'x', '-h']])];

describe('answers without the backend', () => {
  it.each(cases.map((c) => [c.join(' ') || '(none)', c] as const))('%s: the same status and text as the full CLI', async (_label, argv) => {
    const quick = answerWithoutBackend([...argv]);
    expect(quick).not.toBeNull();
    expect(await full([...argv])).toEqual({ status: quick!.status, out: quick!.out, err: quick!.err });
  });

  it('leaves everything else to the full CLI, a leading global option included', () => {
    expect(answerWithoutBackend(['topology'])).toBeNull();
    expect(answerWithoutBackend(['capture', 'web', '--count', '3'])).toBeNull();
    expect(answerWithoutBackend(['--host', 'ssh://a', 'topology'])).toBeNull();
  });
});

describe('the launcher (bin/vethscope.cjs)', () => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/cli-help.cjs'))) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'ignore' });
    // A copy whose CLI bundle fails if it is ever loaded.
    dir = mkdtempSync(join(tmpdir(), 'vs-launcher-'));
    cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
    mkdirSync(join(dir, 'dist'));
    cpSync(join(ROOT, 'dist/cli-help.cjs'), join(dir, 'dist/cli-help.cjs'));
    writeFileSync(join(dir, 'dist/cli.cjs'), "process.stderr.write('CLI BUNDLE LOADED\\n'); process.exit(99);\n");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (...argv: string[]) => spawnSync(process.execPath, [join(dir, 'bin/vethscope.cjs'), ...argv], { encoding: 'utf8' });

  it('prints help, a command\'s help and usage errors without loading the CLI bundle, control characters escaped', () => {
    expect(run('--help')).toMatchObject({ status: 0, stdout: expect.stringContaining('usage: vethscope <command>') });
    expect(run('capture', '--help')).toMatchObject({ status: 0, stdout: expect.stringContaining('usage: vethscope capture') });
    const bad = run('bo\u001bgus');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown command "bo\\x1bgus"');
    expect(bad.stderr).not.toContain('\u001b');
  });

  it('loads the CLI bundle for a command', () => {
    expect(run('topology')).toMatchObject({ status: 99, stderr: 'CLI BUNDLE LOADED\n' });
  });
});
