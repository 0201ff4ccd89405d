#!/usr/bin/env node
// Each bundle holds only what it runs, read from the metafiles scripts/build.mjs writes
// (dist/meta/*.json). The helper's is the one that matters most: it runs as root.
//   node scripts/check-bundles.mjs     prints violations and sizes, exits 1 on a violation
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const RULES = {
  'helper.cjs': {
    why: 'runs as root: the helper, the contract, kernel and format readers, exec, zod; nothing else',
    allow: ['electron/root-helper/', 'electron/kernel/', 'electron/formats/', 'electron/engines/', 'electron/util/exec.ts', 'shared/', 'node_modules/zod/'],
  },
  'preload.cjs': {
    why: 'the sandboxed preload: the zod-free API names and nothing heavy',
    allow: ['electron/front-doors/preload/', 'shared/api-names.ts', 'shared/result.ts'],
    maxBytes: 20 * 1024,
  },
  'cli.cjs': { why: 'never builds images, copies archives, attaches stdin or uses ssh2: no BuildKit (gRPC, protobuf), tar, readable-stream or ssh2', deny: ['node_modules/@grpc/', 'node_modules/protobufjs/', 'node_modules/ssh2/', 'node_modules/cpu-features/', 'node_modules/tar-fs/', 'node_modules/tar-stream/', 'node_modules/readable-stream/', 'node_modules/bl/', 'node_modules/@balena/dockerignore/'] },
  'main.cjs': { why: 'never builds images, copies archives, attaches stdin or uses ssh2: no BuildKit (gRPC, protobuf), tar, readable-stream or ssh2', deny: ['node_modules/@grpc/', 'node_modules/protobufjs/', 'node_modules/ssh2/', 'node_modules/cpu-features/', 'node_modules/tar-fs/', 'node_modules/tar-stream/', 'node_modules/readable-stream/', 'node_modules/bl/', 'node_modules/@balena/dockerignore/'] },
  'cli-help.cjs': {
    why: "the launcher's first stop answers help and usage errors: the help texts alone",
    allow: ['electron/front-doors/cli/usage.ts', 'electron/front-doors/extcap/usage.ts', 'electron/install/layout.ts', 'shared/text.ts'],
    maxBytes: 20 * 1024,
  },
  'extcap.cjs': {
    why: "Wireshark runs it for every interface it lists: the listing alone (Docker's socket, the engines' host readers), no Backend, no packages",
    allow: ['electron/front-doors/extcap/', 'electron/engines/', 'electron/kernel/namespaces.ts', 'electron/backend/topology/engine-containers.ts', 'electron/util/package-root.ts', 'shared/extcap.ts', 'shared/text.ts'],
    maxBytes: 96 * 1024,
  },
};

/** Violations of one bundle's rule, from its metafile. */
export function checkBundle(name, metafile, size) {
  const rule = RULES[name];
  if (!rule) return [];
  const inputs = Object.keys(Object.values(metafile.outputs).find((o) => o.entryPoint)?.inputs ?? {});
  const out = [];
  for (const input of inputs) {
    const rel = input.replace(/^(\.\.\/)+/, '');
    if (rule.allow && !rule.allow.some((p) => rel.startsWith(p))) out.push(`${name} includes ${rel} (${rule.why})`);
    if (rule.deny?.some((p) => rel.includes(p))) out.push(`${name} includes ${rel} (${rule.why})`);
  }
  if (rule.maxBytes && size > rule.maxBytes) out.push(`${name} is ${size} bytes, more than ${rule.maxBytes} (${rule.why})`);
  return out;
}

export function checkBundles(root = ROOT) {
  const violations = [];
  const sizes = {};
  for (const name of Object.keys(RULES)) {
    const meta = path.join(root, 'dist/meta', `${name}.json`);
    if (!existsSync(meta)) {
      violations.push(`${name}: no metafile (run npm run build:node)`);
      continue;
    }
    sizes[name] = statSync(path.join(root, 'dist', name)).size;
    violations.push(...checkBundle(name, JSON.parse(readFileSync(meta, 'utf8')), sizes[name]));
  }
  return { violations, sizes };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { violations, sizes } = checkBundles();
  for (const v of violations) console.error(`bundles: ${v}`);
  console.log(`bundles: ${Object.entries(sizes).map(([n, s]) => `${n} ${(s / 1024).toFixed(1)} kB`).join(', ')}${violations.length ? `; ${violations.length} violation(s)` : '; every bundle holds only what it runs'}`);
  process.exit(violations.length ? 1 : 0);
}
