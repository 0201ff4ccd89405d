// Measured figures every hardening test appends (one JSON line each); the summary
// reporter adds them up into the closing table. Nothing here is a constant result.
import { appendFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

export const ARTIFACTS = resolve(__dirname, '../artifacts/hardening');
export const METRICS_FILE = resolve(ARTIFACTS, 'metrics.jsonl');

export interface Metric {
  section: string; // '1 helper', '2 served UI', ...
  check: string;
  inputs?: number;
  faults?: number;
  files?: number;
  /** Packets vethscope reported minus packets tshark read, summed over files (must be 0). */
  lost?: number;
  detail?: string;
  ok: boolean;
}

export function resetMetrics(): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  rmSync(METRICS_FILE, { force: true });
}

export function record(m: Metric): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  appendFileSync(METRICS_FILE, JSON.stringify(m) + '\n');
  const parts = [m.inputs !== undefined ? `inputs=${m.inputs}` : '', m.faults !== undefined ? `faults=${m.faults}` : '', m.files !== undefined ? `files=${m.files}` : '', m.lost !== undefined ? `lost=${m.lost}` : ''].filter(Boolean);
  console.log(`[hardening] ${m.ok ? 'ok  ' : 'FAIL'} ${m.section} | ${m.check} | ${parts.join(' ')}${m.detail ? ` | ${m.detail}` : ''}`);
}

export function readMetrics(): Metric[] {
  try {
    return readFileSync(METRICS_FILE, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Metric);
  } catch {
    return [];
  }
}
