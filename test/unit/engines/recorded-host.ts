// A HostFiles that replays a layout (test/fixtures/engines/*.json): files with their owners
// (root unless listed), symlinks, folder listings. Reads honour maxBytes and owner as the
// real one does, so a namer's trust rules are exercised, not bypassed.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { HostFiles } from '../../../electron/engines/host-files';
import type { RecordedLayout } from '../../fixtures/engines/record-layout';

export function loadLayout(name: string): RecordedLayout {
  return JSON.parse(readFileSync(resolve(__dirname, '../../fixtures/engines', name), 'utf8')) as RecordedLayout;
}

export function replay(layout: Pick<RecordedLayout, 'files' | 'owners' | 'links' | 'dirs'>): HostFiles & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    list: (path) => layout.dirs[path] ?? [],
    read(path, opts = {}) {
      reads.push(path);
      const text = layout.files[path];
      if (text === undefined) return null;
      if (opts.owner !== undefined && (layout.owners[path] ?? 0) !== opts.owner) return null;
      if (Buffer.byteLength(text) > (opts.maxBytes ?? 1 << 20)) return null;
      return text;
    },
    readlink: (path) => layout.links[path] ?? null,
  };
}
