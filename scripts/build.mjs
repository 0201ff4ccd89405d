// Bundle node-side entry points with esbuild (fast, one file each). The renderer is built by Vite.
// Each bundle holds only what it runs: scripts/check-bundles.mjs reads the metafiles this writes.
import { build } from 'esbuild';
import { common } from './bundle-options.mjs';
import { mkdirSync, writeFileSync } from 'node:fs';

export const ENTRIES = [
  { in: 'electron/front-doors/cli/main.ts', out: 'dist/cli.cjs' },
  // The launcher's first stop: help and usage errors from the texts alone, without loading cli.cjs.
  { in: 'electron/front-doors/cli/usage.ts', out: 'dist/cli-help.cjs' },
  // The only code that runs as root: nothing but the helper, the contract, kernel and format readers.
  { in: 'electron/root-helper/main.ts', out: 'dist/helper.cjs' },
  // Electron main process, and the sandboxed preload (self-contained: it may require only 'electron').
  { in: 'electron/front-doors/desktop/main.ts', out: 'dist/main.cjs' },
  { in: 'electron/front-doors/preload/preload.ts', out: 'dist/preload.cjs' },
  // Wireshark's extcap: the listing alone (it must start fast); captures load cli.cjs beside it.
  { in: 'electron/front-doors/extcap/entry.ts', out: 'dist/extcap.cjs' },
];

const results = await Promise.all(ENTRIES.map((e) => build({ ...common, entryPoints: [e.in], outfile: e.out, external: ['electron'] })));
mkdirSync('dist/meta', { recursive: true });
ENTRIES.forEach((e, i) => writeFileSync(`dist/meta/${e.out.replace(/^dist\//, '')}.json`, JSON.stringify(results[i].metafile)));
