// Bundle node-side entry points with esbuild (fast, one file each). The renderer is built by Vite.
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'linked', logLevel: 'warning' };
const entries = [
  { in: 'electron/front-doors/cli/main.ts', out: 'dist/cli.cjs' },
  { in: 'electron/root-helper/main.ts', out: 'dist/helper.cjs' },
  // Electron main process, and the sandboxed preload (self-contained: it may require only 'electron').
  { in: 'electron/front-doors/desktop/main.ts', out: 'dist/main.cjs' },
  { in: 'electron/front-doors/preload/preload.ts', out: 'dist/preload.cjs' },
];
await Promise.all(entries.map((e) => build({ ...common, entryPoints: [e.in], outfile: e.out, external: ['electron', 'cpu-features', 'ssh2'] })));
