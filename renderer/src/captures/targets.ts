import type { CaptureInfo } from '../../../shared/capture';

/** What a capture recorded, in words: container names, or namespace/interface. */
export function describeTargets(c: CaptureInfo): string {
  return c.targets
    .map((t) => (t.type === 'container' ? t.container + (t.interfaces?.length ? ` (${t.interfaces.join(', ')})` : '') : t.type === 'host' ? `host/${t.iface}` : `${t.netns}/${t.iface}`))
    .join(', ');
}
export const isLive = (c: CaptureInfo) => c.state === 'starting' || c.state === 'running' || c.state === 'stopping';
export const baseName = (p: string) => p.split('/').pop() ?? p;
