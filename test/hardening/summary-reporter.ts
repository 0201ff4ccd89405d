// Prints the closing table (and writes it as markdown for docs/security.md): inputs
// tried, faults injected, files checked, data lost, per section, from metrics.jsonl.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ARTIFACTS, readMetrics, type Metric } from './metrics';

export function summaryTable(metrics: Metric[]): string {
  const sections = [...new Set(metrics.map((m) => m.section))].sort();
  const rows = sections.map((s) => {
    const ms = metrics.filter((m) => m.section === s);
    const sum = (k: 'inputs' | 'faults' | 'files' | 'lost') => ms.reduce((n, m) => n + (m[k] ?? 0), 0);
    return { s, checks: ms.length, failed: ms.filter((m) => !m.ok).length, inputs: sum('inputs'), faults: sum('faults'), files: sum('files'), lost: sum('lost') };
  });
  const total = rows.reduce((t, r) => ({ s: 'total', checks: t.checks + r.checks, failed: t.failed + r.failed, inputs: t.inputs + r.inputs, faults: t.faults + r.faults, files: t.files + r.files, lost: t.lost + r.lost }), { s: 'total', checks: 0, failed: 0, inputs: 0, faults: 0, files: 0, lost: 0 });
  const lines = ['| section | checks | failed | inputs tried | faults injected | files checked | data lost (packets) |', '|---|---:|---:|---:|---:|---:|---:|'];
  for (const r of [...rows, total]) lines.push(`| ${r.s} | ${r.checks} | ${r.failed} | ${r.inputs} | ${r.faults} | ${r.files} | ${r.lost} |`);
  return lines.join('\n');
}

let printed = false;
function print(): void {
  if (printed) return;
  printed = true;
  const metrics = readMetrics();
  const table = summaryTable(metrics);
  const detail = metrics.map((m) => `- ${m.ok ? 'ok' : 'FAILED'} **${m.section}** ${m.check}${m.detail ? `: ${m.detail}` : ''}`).join('\n');
  writeFileSync(resolve(ARTIFACTS, 'summary.md'), `${table}\n\n${detail}\n`);
  process.stdout.write(`\n=== hardening summary (${new Date().toISOString()}) ===\n${table}\n`);
}

export default class SummaryReporter {
  onTestRunEnd(): void {
    print();
  }
  onFinished(): void {
    print();
  }
}
