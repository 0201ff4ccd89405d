// Start `vethscope serve` and read its URL from the first stdout line starting with http.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Served {
  url: string;
  base: string;
  token: string;
  child: ChildProcess;
}

export function startServe(env: NodeJS.ProcessEnv, capturesDir: string, timeoutMs = 30_000): Promise<Served> {
  const child = spawn(process.execPath, ['bin/vethscope.cjs', 'serve', '--port', '0', '--captures-dir', capturesDir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`vethscope serve printed no URL in ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`vethscope serve exited (${code}) before printing a URL; stderr: ${stderr}`));
    });
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      if (!line.startsWith('http')) return;
      clearTimeout(timer);
      const u = new URL(line.trim());
      resolve({ url: line.trim(), base: u.origin, token: u.searchParams.get('token') ?? '', child });
    });
  });
}
