// Bundle node-side entry points with esbuild (fast, one file each). The renderer is built by Vite.
// Each bundle holds only what it runs: scripts/check-bundles.mjs reads the metafiles this writes.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';

export const ENTRIES = [
  { in: 'electron/front-doors/cli/main.ts', out: 'dist/cli.cjs' },
  // The only code that runs as root: nothing but the helper, the contract, kernel and format readers.
  { in: 'electron/root-helper/main.ts', out: 'dist/helper.cjs' },
  // Electron main process, and the sandboxed preload (self-contained: it may require only 'electron').
  { in: 'electron/front-doors/desktop/main.ts', out: 'dist/main.cjs' },
  { in: 'electron/front-doors/preload/preload.ts', out: 'dist/preload.cjs' },
  // Wireshark's extcap: the listing alone (it must start fast); captures load cli.cjs beside it.
  { in: 'electron/front-doors/extcap/entry.ts', out: 'dist/extcap.cjs' },
];

/**
 * dockerode requires its BuildKit session (gRPC, protobufjs: ~830 kB) at load time, for
 * building images, which vethscope never does. Those two modules are replaced by a stub
 * that says so if anything ever calls them.
 */
const noBuildKit = {
  name: 'no-buildkit',
  setup(b) {
    b.onResolve({ filter: /^\.\/(session|buildkit)$/ }, (args) => (args.importer.includes('/dockerode/lib/') ? { path: args.path, namespace: 'no-buildkit' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'no-buildkit' }, () => ({
      contents: "module.exports = function () { throw new Error('vethscope does not build images: BuildKit sessions are left out of its bundle'); };",
      loader: 'js',
    }));
  },
};

/**
 * docker-modem loads ssh2 at start for ssh:// Docker hosts, and ssh2's start-up alone costs
 * ~200 ms of CPU (it enumerates every cipher). vethscope reaches remote hosts with the
 * system's own ssh (your keys, ~/.ssh/config, known_hosts), never through ssh2.
 */
const noSsh2 = {
  name: 'no-ssh2',
  setup(b) {
    b.onResolve({ filter: /^\.\/ssh$/ }, (args) => (args.importer.includes('/docker-modem/lib/') ? { path: args.path, namespace: 'no-ssh2' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'no-ssh2' }, () => ({
      contents: "module.exports = function () { throw new Error('dockerode ssh:// is not used by vethscope: remote hosts go through the system ssh'); };",
      loader: 'js',
    }));
  },
};

// Node 18 is what Debian 12's nodejs package runs, and the deb depends on it.
const common = { bundle: true, platform: 'node', target: 'node18', format: 'cjs', sourcemap: 'linked', logLevel: 'warning', metafile: true, plugins: [noBuildKit, noSsh2] };

const results = await Promise.all(ENTRIES.map((e) => build({ ...common, entryPoints: [e.in], outfile: e.out, external: ['electron'] })));
mkdirSync('dist/meta', { recursive: true });
ENTRIES.forEach((e, i) => writeFileSync(`dist/meta/${e.out.replace(/^dist\//, '')}.json`, JSON.stringify(results[i].metafile)));
