#!/usr/bin/env node
// The layout's rules, checked on every import (type-only ones included) of every
// source file. ARCHITECTURE.md explains them; this file is the one that enforces them.
//   node scripts/check-architecture.mjs          prints violations, exits 1 if any
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_DIRS = ['shared', 'electron', 'renderer/src'];

/**
 * Which folders may import which. A file belongs to the first area whose prefix it
 * starts with; `may` lists the areas (prefixes) it may import, `packages` the npm
 * packages (node:* builtins are allowed where `node` is true). Type-only imports of
 * packages are always allowed (they leave nothing in a bundle), and `mayTypes` lists
 * areas a file may import types (only) from.
 */
const BACKEND_ENTRY = ['electron/backend/create-backend.ts', 'electron/backend/backend.ts'];

export const AREAS = [
  { name: 'shared', prefix: 'shared/', may: ['shared/'], packages: ['zod'], node: false },
  // The only code that runs as root: the contract, kernel and format readers, exec.
  { name: 'root-helper', prefix: 'electron/root-helper/', may: ['electron/root-helper/', 'shared/', 'electron/kernel/', 'electron/formats/', 'electron/engines/', 'electron/util/exec.ts'], packages: ['zod'], node: true },
  { name: 'kernel', prefix: 'electron/kernel/', may: ['electron/kernel/', 'shared/', 'electron/formats/', 'electron/util/exec.ts'], packages: [], node: true },
  { name: 'formats', prefix: 'electron/formats/', may: ['electron/formats/', 'shared/'], packages: [], node: true },
  { name: 'engines', prefix: 'electron/engines/', may: ['electron/engines/', 'shared/', 'electron/kernel/', 'electron/formats/', 'electron/util/exec.ts'], packages: [], node: true },
  { name: 'util', prefix: 'electron/util/', may: ['electron/util/', 'shared/'], packages: [], node: true },
  // Installing the root helper (run as root by `vethscope install-helper`, never part of the helper bundle).
  { name: 'install', prefix: 'electron/install/', may: ['electron/install/', 'shared/', 'electron/kernel/file-trust.ts', 'electron/util/'], packages: ['zod'], node: true },
  { name: 'backend', prefix: 'electron/backend/', may: ['electron/backend/', 'shared/', 'electron/kernel/', 'electron/formats/', 'electron/engines/', 'electron/util/', 'electron/install/'], packages: ['zod', 'dockerode'], node: true },
  // The preload runs in the sandboxed renderer: Electron and the zod-free list of API names only.
  { name: 'preload', prefix: 'electron/front-doors/preload/', may: ['electron/front-doors/preload/', 'shared/api-names.ts', 'shared/result.ts'], mayTypes: ['shared/'], packages: ['electron'], node: false },
  // Front doors reach the services only through the one Backend (create-backend.ts builds it).
  { name: 'desktop', prefix: 'electron/front-doors/desktop/', may: ['electron/front-doors/desktop/', 'shared/', ...BACKEND_ENTRY, 'electron/util/'], packages: ['electron'], node: true },
  { name: 'browser', prefix: 'electron/front-doors/browser/', may: ['electron/front-doors/browser/', 'shared/', ...BACKEND_ENTRY, 'electron/util/'], packages: ['ws'], node: true },
  // The `vethscope` command starts every terminal front door: browser mode (`serve`) and the extcap.
  { name: 'cli', prefix: 'electron/front-doors/cli/', may: ['electron/front-doors/cli/', 'shared/', ...BACKEND_ENTRY, 'electron/util/', 'electron/install/', 'electron/front-doors/browser/', 'electron/front-doors/extcap/'], packages: [], node: true },
  // Wireshark's extcap. Its listing answers without the Backend (Wireshark runs it for every interface, every start):
  // Docker's socket and the engines' host readers, merged by the Backend's own rule; file-trust for installing it as root.
  { name: 'extcap', prefix: 'electron/front-doors/extcap/', may: ['electron/front-doors/extcap/', 'shared/', ...BACKEND_ENTRY, 'electron/util/', 'electron/engines/', 'electron/backend/topology/engine-containers.ts', 'electron/kernel/file-trust.ts'], packages: [], node: true },
  // The transports know nothing of React or the hooks built on them.
  { name: 'renderer-api', prefix: 'renderer/src/api/', may: ['renderer/src/api/', 'shared/'], packages: [], node: false },
  { name: 'renderer', prefix: 'renderer/src/', may: ['renderer/src/', 'shared/'], packages: ['react', 'react-dom', '@xyflow/react'], node: false },
];

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (/\.(ts|tsx)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Every import of a file: { spec, typeOnly }. */
export function importsOf(file, text = readFileSync(file, 'utf8')) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const out = [];
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const c = node.importClause;
      const typeOnly = Boolean(c && (c.isTypeOnly || (!c.name && c.namedBindings && ts.isNamedImports(c.namedBindings) && c.namedBindings.elements.length > 0 && c.namedBindings.elements.every((e) => e.isTypeOnly))));
      out.push({ spec: node.moduleSpecifier.text, typeOnly });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push({ spec: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0])) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) out.push({ spec: node.arguments[0].text, typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      out.push({ spec: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function resolveRelative(fromFile, spec) {
  const base = path.resolve(path.dirname(fromFile), spec);
  for (const c of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]) if (existsSync(c) && statSync(c).isFile()) return c;
  return null;
}

const packageName = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);

export function checkArchitecture(root = ROOT) {
  const rel = (f) => path.relative(root, f).split(path.sep).join('/');
  const files = SOURCE_DIRS.flatMap((d) => walk(path.join(root, d)));
  const violations = [];
  const graph = new Map();
  for (const file of files) {
    const me = rel(file);
    const area = AREAS.find((a) => me.startsWith(a.prefix));
    if (!area) {
      violations.push(`${me}: belongs to no area of the layout (see scripts/check-architecture.mjs)`);
      continue;
    }
    const edges = [];
    for (const { spec, typeOnly } of importsOf(file)) {
      if (spec.startsWith('.')) {
        const target = resolveRelative(file, spec);
        if (!target) {
          violations.push(`${me}: cannot resolve ${spec}`);
          continue;
        }
        const t = rel(target);
        edges.push(t);
        const allowed = [...area.may, ...(typeOnly ? (area.mayTypes ?? []) : [])];
        if (!allowed.some((p) => (p.endsWith('/') ? t.startsWith(p) : t === p))) violations.push(`${me} (${area.name}) imports ${t}: not allowed`);
      } else if (spec.startsWith('node:')) {
        if (!area.node) violations.push(`${me} (${area.name}) imports ${spec}: no Node built-ins here`);
      } else if (!typeOnly && !area.packages.includes(packageName(spec))) {
        violations.push(`${me} (${area.name}) imports the package ${spec}: not allowed here`);
      }
    }
    graph.set(me, edges);
  }
  // No cycles, type-only ones included: each is a knot a newcomer has to untie to read the code.
  const state = new Map();
  const stack = [];
  const dfs = (n) => {
    state.set(n, 1);
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 1) violations.push(`import cycle: ${[...stack.slice(stack.indexOf(m)), m].join(' -> ')}`);
      else if (!state.has(m)) dfs(m);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of [...graph.keys()].sort()) if (!state.has(n)) dfs(n);
  return violations;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const v = checkArchitecture();
  for (const line of v) console.error(`architecture: ${line}`);
  console.log(v.length ? `architecture: ${v.length} violation(s)` : 'architecture: layout rules hold');
  process.exit(v.length ? 1 : 0);
}
