// esbuild options every node bundle shares, for `npm run build` (scripts/build.mjs) and the
// Debian package (scripts/build-deb.mjs): the same stubs, the same target.
/**
 * dockerode requires its BuildKit session (gRPC, protobufjs: ~830 kB) at load time, for
 * building images, which vethscope never does. Those two modules are replaced by a stub
 * that says so if anything ever calls them.
 */
export const noBuildKit = {
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
export const noSsh2 = {
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
export const common = { bundle: true, platform: 'node', target: 'node18', format: 'cjs', sourcemap: 'linked', logLevel: 'warning', metafile: true, plugins: [noBuildKit, noSsh2] };

