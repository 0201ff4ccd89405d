// Start `vethscope serve` the way a person does, in a terminal: on a pseudo-terminal (util-linux
// `script`), so its stdin is a TTY and Enter prints a new single-use link. Each test opens a link
// of its own (a link works once).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface Served {
  /** http://127.0.0.1:PORT */
  base: string;
  /** An unused link: the first printed one, then one per Enter pressed on the terminal. */
  newLink(): Promise<string>;
  /** SIGTERM to `vethscope serve` itself (a clean shutdown), then wait for the terminal to close. */
  stop(): Promise<void>;
}

const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export async function startServe(env: NodeJS.ProcessEnv, capturesDir: string, timeoutMs = 30_000): Promise<Served> {
  const argv = [process.execPath, 'bin/vethscope.cjs', 'serve', '--port', '0', '--captures-dir', capturesDir];
  // -E never: the terminal does not echo what we type; `exec` makes serve the terminal's only process.
  const term = spawn('script', ['-q', '-f', '-e', '-E', 'never', '-c', `exec ${argv.map(sh).join(' ')}`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const links: string[] = [];
  const waiting: Array<(link: string) => void> = [];
  let partial = '';
  term.stdout!.on('data', (d: Buffer) => {
    output += String(d);
    const lines = (partial + String(d)).split(/\r?\n/);
    partial = lines.pop() ?? '';
    for (const line of lines.map((l) => l.trim()).filter((l) => l.startsWith('http'))) {
      const w = waiting.shift();
      if (w) w(line);
      else links.push(line);
    }
  });
  term.stderr!.on('data', (d: Buffer) => (output += String(d)));
  const exited = new Promise<number | null>((resolve) => term.once('exit', (code) => resolve(code)));
  const nextLine = (what: string) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`vethscope serve printed no ${what} in ${timeoutMs} ms; terminal: ${output}`)), timeoutMs);
      void exited.then((code) => reject(new Error(`vethscope serve exited (${code}); terminal: ${output}`)));
      waiting.push((l) => (clearTimeout(timer), resolve(l)));
    });
  const first = links.shift() ?? (await nextLine('link'));
  links.unshift(first);
  return {
    base: new URL(first).origin,
    async newLink() {
      const unused = links.shift();
      if (unused) return unused;
      const next = nextLine('new link after Enter');
      term.stdin!.write('\n');
      return next;
    },
    async stop() {
      const serve = childOf(term.pid!);
      if (serve) process.kill(serve, 'SIGTERM');
      else term.kill('SIGTERM');
      await exited;
    },
  };
}

/** The one child of `pid` (the terminal's `vethscope serve`), from /proc. */
function childOf(pid: number): number | null {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) return Number(d);
    } catch {
      /* gone meanwhile */
    }
  }
  return null;
}
