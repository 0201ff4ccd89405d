// `--help` parity: the man page the Debian package ships (build/vethscope.1) documents
// every command and every option the command line's own help texts list.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../electron/front-doors/cli/main';
import { SERVE_USAGE } from '../../../electron/front-doors/cli/serve-command';

const man = readFileSync(resolve(__dirname, '../../../build/vethscope.1'), 'utf8').replace(/\\-/g, '-');

async function help(...argv: string[]): Promise<string> {
  let text = '';
  const io = { out: (t: string) => void (text += t), err: (t: string) => void (text += t), isTTY: false };
  await runCli(argv, io);
  return text;
}

describe('man page and --help', () => {
  it('every command in `vethscope help` has an entry', async () => {
    const usage = await help('help');
    const commands = [...usage.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]!);
    expect(commands).toEqual(expect.arrayContaining(['topology', 'capture', 'serve', 'top', 'doctor', 'install-helper', 'help']));
    for (const c of commands) expect(man, c).toMatch(new RegExp(`^\\.B[IR]? ${c}\\b`, 'm'));
  });

  it('every option of every help text is documented', async () => {
    const texts = [await help('help'), await help('capture', '--help'), await help('install-helper', '--help'), await help('doctor', '--help'), SERVE_USAGE];
    const options = new Set(texts.flatMap((t) => [...t.matchAll(/(?<![\w-])(--[a-z][a-z-]*|-o)\b/g)].map((m) => m[1]!)));
    expect(options.size).toBeGreaterThan(15);
    for (const o of [...options].filter((o) => o !== '--help')) expect(man, o).toContain(o);
  });
});
