// "Open live in Wireshark" for a running capture: Wireshark starts its own capture of the same
// targets through vethscope's extcap (the multi-container interface, its options by -o, the
// filter by -f), so packets appear as they arrive; the app's capture goes on into its file.
// The extcap runs its own helper (a helper refuses an interface only its own captures hold).
import type { CaptureInfo } from '../../../shared/capture';
import { CodedError } from '../../../shared/result';
import { wiresharkLiveArgs, type LiveTargets } from '../../../shared/extcap';
import { findTool } from '../../util/exec';
import { findExtcap } from '../../util/wireshark-extcap';
import { launch, type LaunchResult } from './launchers';

/** The capture's targets as the extcap takes them (words as `vethscope capture` takes them). */
export function liveTargets(info: Pick<CaptureInfo, 'targets' | 'filter'>, follow: boolean): LiveTargets {
  const targets = info.targets.map((t) => (t.type === 'container' ? t.container : t.type === 'host' ? `host:${t.iface}` : `netns:${t.netns}:${t.iface}`));
  const interfaces = [...new Set(info.targets.flatMap((t) => (t.type === 'container' ? (t.interfaces ?? []) : [])))];
  return { targets, ...(interfaces.length ? { interfaces } : {}), ...(info.filter ? { filter: info.filter } : {}), ...(follow ? { follow } : {}) };
}

export async function openLive(info: CaptureInfo, follow: boolean, env: NodeJS.ProcessEnv, tshark: string | null = findTool('tshark')): Promise<LaunchResult> {
  if (info.state !== 'running' && info.state !== 'starting') throw new CodedError('INVALID_INPUT', `capture ${info.id} has ended: Open in Wireshark opens its file`);
  const extcap = await findExtcap(env, tshark);
  if (!extcap.found) return { launched: false, reason: "vethscope's Wireshark extcap is not installed where this Wireshark looks: run vethscope extcap install --user (then Open live again)" };
  if (extcap.problem) return { launched: false, reason: `vethscope's Wireshark extcap cannot run: ${extcap.problem} (vethscope extcap install --user)` };
  return launch('wireshark', wiresharkLiveArgs(liveTargets(info, follow)), env);
}
