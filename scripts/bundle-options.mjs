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

/**
 * dockerode's build-context and archive helpers (tar-fs, tar-stream, bl, @balena/dockerignore) and
 * docker-modem's duplex stream for attaching a container's stdin (readable-stream) are evaluated
 * when the CLI loads, ~130 kB for API calls vethscope never makes (it builds, copies and attaches
 * nothing; it only lists and inspects). Each is replaced by a stub that says so if ever called.
 */
const NEVER_CALLED = [
  { module: /^tar-fs$/, importer: '/dockerode/lib/', what: 'image builds and archive copies' },
  { module: /^@balena\/dockerignore$/, importer: '/dockerode/lib/', what: 'image build contexts' },
  { module: /^\.\/http_duplex$/, importer: '/docker-modem/lib/', what: "attaching to a container's stdin" },
];
export const noUnusedDockerApis = {
  name: 'no-unused-docker-apis',
  setup(b) {
    b.onResolve({ filter: new RegExp(NEVER_CALLED.map((x) => x.module.source).join('|')) }, (args) => {
      const n = NEVER_CALLED.find((x) => x.module.test(args.path) && args.importer.includes(x.importer));
      return n ? { path: args.path, namespace: 'no-unused-docker-apis', pluginData: n.what } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'no-unused-docker-apis' }, (args) => ({
      contents: `const no = () => { throw new Error(${JSON.stringify('vethscope does not use dockerode for ')} + ${JSON.stringify(String(args.pluginData))}); };\nmodule.exports = new Proxy(no, { get: () => no });`,
      loader: 'js',
    }));
  },
};

/**
 * docker-modem (https, for TLS Docker hosts), dockerode (zlib, for build contexts) and ws (https,
 * tls, zlib, for outgoing and compressed sockets) require Node's TLS and zlib modules when they load;
 * vethscope's Docker client speaks plain HTTP on a socket and its WebSocket server compresses
 * nothing, so those modules are loaded on first use instead of at every start (~10 ms).
 */
const LAZY_BUILTINS = /^(node:)?(https|tls|zlib)$/;
export const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    b.onResolve({ filter: LAZY_BUILTINS }, (args) =>
      /\/node_modules\/(docker-modem|dockerode|ws)\//.test(args.importer) ? { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtins' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtins' }, (args) => ({
      contents: `let m;\nconst real = () => (m ??= require(${JSON.stringify(`node:${args.path}`)}));\nmodule.exports = new Proxy({}, { get: (_, k) => real()[k], has: (_, k) => k in real(), ownKeys: () => Reflect.ownKeys(real()), getOwnPropertyDescriptor: (_, k) => Object.getOwnPropertyDescriptor(real(), k) });`,
      loader: 'js',
    }));
  },
};

/**
 * Node's crypto, readline and fs/promises cost every command ~9 ms when the CLI loads (crypto alone
 * ~7), for code few commands run: capture ids, browser-mode secrets, the serve prompt, async file
 * reads. Our own modules' named imports of them become functions that load the real module on
 * their first call. Only lower-case function exports are offered: importing a class or a value
 * (fs/promises' `constants`: take node:fs's) fails the build rather than misbehave. Not in the root
 * helper's bundle: the code that runs as root holds nothing generated.
 */
const LAZY_FOR_OWN_CODE = /^node:(crypto|readline|fs\/promises)$/;
export const lazyOwnBuiltins = {
  name: 'lazy-own-builtins',
  setup(b) {
    if (JSON.stringify(b.initialOptions.entryPoints ?? []).includes('electron/root-helper/')) return;
    b.onResolve({ filter: LAZY_FOR_OWN_CODE }, (args) =>
      args.kind === 'import-statement' && !args.importer.includes('/node_modules/') ? { path: args.path, namespace: 'lazy-own-builtins' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-own-builtins' }, async (args) => {
      const real = await import(args.path);
      const names = Object.keys(real).filter((k) => /^[a-z]/.test(k) && typeof real[k] === 'function');
      const wrappers = names.map((n) => `export function ${n}(...a) {\n  return real().${n}(...a);\n}`);
      return { contents: [`let m;\nconst real = () => (m ??= require(${JSON.stringify(args.path)}));`, ...wrappers].join('\n'), loader: 'js' };
    });
  },
};

/**
 * docker-modem's logger, `require('debug')('modem')`: the real one (debug and its terminal colour
 * probing, ~5 ms of every start) is loaded only when DEBUG is set, as it prints nothing otherwise.
 */
export const lazyDebug = {
  name: 'lazy-debug',
  setup(b) {
    b.onResolve({ filter: /^debug$/ }, (args) => (args.importer.includes('/docker-modem/lib/') ? { path: args.path, namespace: 'lazy-debug', pluginData: args.resolveDir } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-debug' }, (args) => ({
      contents: "module.exports = process.env.DEBUG ? require('debug/src/index.js') : () => Object.assign(() => {}, { enabled: false });",
      resolveDir: args.pluginData,
      loader: 'js',
    }));
  },
};

// Node 18 is what Debian 12's nodejs package runs, and the deb depends on it.
export const common = { bundle: true, platform: 'node', target: 'node18', format: 'cjs', sourcemap: 'linked', logLevel: 'warning', metafile: true, plugins: [noBuildKit, noSsh2, noUnusedDockerApis, lazyBuiltins, lazyOwnBuiltins, lazyDebug] };

