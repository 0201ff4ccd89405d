// `vethscope doctor [--json]`: what to check when something does not work. Plain text
// by default, every problem with the command that fixes it; exit 1 when there are any.
import { parseArgs } from 'node:util';
import type { Backend } from '../../backend/backend';
import type { Diagnostics } from '../../../shared/diagnostics';
import type { CliIo } from './io';

import { DOCTOR_USAGE } from './usage';
export { DOCTOR_USAGE };

const row = (k: string, v: string) => `  ${k.padEnd(12)} ${v}`;

export function formatDiagnostics(d: Diagnostics): string {
  const h = d.helper;
  const out: string[] = [];
  out.push(`vethscope ${d.version} doctor: user ${d.user.name ?? '?'} (uid ${d.user.uid}), groups: ${d.user.groups.join(', ') || 'none'}`, '');
  out.push('Helper (the privileged capture helper)');
  if (h.installed) {
    out.push(row('installed', `${h.path}${h.installedBy ? ` (${h.installedBy})` : ''}, interpreter ${h.interpreter ?? 'none'}`));
    out.push(row('safe', h.trusted ? 'yes: only root can change it, its interpreter and their folders' : 'NO: see problems'));
    const member = d.user.uid === 0 ? 'root needs none' : h.inGroup ? 'you are in it (no password)' : 'you are not in it';
    out.push(row('group', h.group ? `${h.group}: ${member}` : 'none (starting it asks for an administrator\'s password)'));
  } else out.push(row('installed', 'no'));
  out.push(row('starts as', h.argv ? `${h.argv.join(' ')}${h.program === 'checkout' && h.mode !== 'root' ? '   (this checkout\'s helper, through a password prompt)' : ''}` : 'cannot start from here (see problems)'));
  if (h.running) out.push(row('running', 'yes'));
  out.push('Engines');
  for (const e of d.engines) out.push(row(e.name, `${e.endpoint}: ${e.detail}`));
  out.push('Tools');
  for (const t of d.tools) out.push(row(t.name, t.path ?? `not found (${t.need}: ${t.purpose})`));
  out.push('Captures');
  const c = d.captures;
  out.push(row('folder', `${c.dir} (${c.exists ? `${c.writable ? 'writable' : 'NOT writable'}, owner uid ${c.owner}, mode ${c.mode}` : 'created on the first capture'})`));
  if (d.wireshark) {
    out.push('Wireshark (containers as capture interfaces)');
    out.push(row('extcap', d.wireshark.detail));
    if (d.wireshark.folders.length) out.push(row('reads', d.wireshark.folders.join(', ')));
  }
  out.push('');
  if (!d.problems.length) out.push('No problems found.');
  else {
    out.push(`${d.problems.length} problem${d.problems.length > 1 ? 's' : ''}:`);
    d.problems.forEach((p, i) => {
      out.push(`  ${i + 1}. [${p.area}] ${p.message}`);
      if (p.fix) out.push(`     fix: ${p.fix}`);
    });
  }
  return out.join('\n');
}

export async function doctorCommand(backend: Backend, args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } }, strict: true });
  if (values.help) {
    io.out(DOCTOR_USAGE);
    return 0;
  }
  const r = await backend.call('getDiagnostics', {});
  if (!r.ok) {
    io.err(`vethscope doctor: ${r.error.message}`);
    return 1;
  }
  io.out(values.json ? JSON.stringify(r.result, null, 2) : formatDiagnostics(r.result));
  return r.result.problems.length ? 1 : 0;
}
