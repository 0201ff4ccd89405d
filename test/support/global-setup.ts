// Start (or reuse) the one private Docker daemon every integration suite shares.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

export default function setup(): void {
  if (process.getuid?.() !== 0) {
    console.log('[integration] not root: suites that need the private Docker daemon and namespaces are skipped');
    return;
  }
  const out = execFileSync('bash', [resolve(__dirname, 'daemon.sh'), 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = out.split('\n').find((l) => l.startsWith('DOCKER_HOST='));
  if (line) process.env.DOCKER_HOST = line.slice('DOCKER_HOST='.length);
}
