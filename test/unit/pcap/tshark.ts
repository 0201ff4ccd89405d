// Run the real tshark/capinfos against files our code wrote: they are the judge.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const found = (bin: string) => spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0;
export const hasTshark = found('tshark') && found('capinfos');
export const NO_TSHARK = 'tshark/capinfos not installed';

/** One row per packet, one string per field (tshark -T fields). */
export function tsharkFields(file: string, fields: string[], extra: string[] = []): string[][] {
  const args = ['-n', '-r', file, ...extra, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  for (const f of fields) args.push('-e', f);
  const out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 << 20 });
  return out.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}

/** tshark's stderr and exit status, for checks that it read a file without complaint. */
export function tsharkRun(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** capinfos -M output as a map of its "Label: value" lines. */
export function capinfos(file: string): Map<string, string> {
  const out = execFileSync('capinfos', ['-M', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const m = new Map<string, string>();
  for (const line of out.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) m.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return m;
}

export function tempDir(prefix: string): { dir: string; path: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, path: (n) => join(dir, n), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
