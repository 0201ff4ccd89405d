// The layout's rules and the bundles' contents are checked on the real tree; each checker
// is also shown a planted violation, so a test that cannot fail is not what holds them.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM scripts without types
import { checkArchitecture } from '../../../scripts/check-architecture.mjs';
// @ts-expect-error plain ESM scripts without types
import { checkBundle, checkBundles } from '../../../scripts/check-bundles.mjs';

const ROOT = path.resolve(__dirname, '../../..');

describe('layout rules (scripts/check-architecture.mjs)', () => {
  it('hold for this tree', () => {
    expect(checkArchitecture(ROOT)).toEqual([]);
  });

  it('catch root code importing the backend, a front door imported by a service, a preload pulling zod, and cycles', () => {
    const t = mkdtempSync(path.join(tmpdir(), 'vsa-'));
    const put = (f: string, text: string) => {
      mkdirSync(path.dirname(path.join(t, f)), { recursive: true });
      writeFileSync(path.join(t, f), text);
    };
    put('shared/api.ts', "import * as z from 'zod';\nexport const x = z;\n");
    put('electron/backend/capture/thing.ts', "import { cli } from '../../front-doors/cli/main';\nexport const y = cli;\n");
    put('electron/front-doors/cli/main.ts', 'export const cli = 1;\n');
    put('electron/root-helper/ops.ts', "import { y } from '../backend/capture/thing';\nexport const z = y;\n");
    put('electron/front-doors/preload/api.ts', "import { x } from '../../../shared/api';\nexport const p = x;\n");
    put('electron/kernel/a.ts', "import { b } from './b';\nexport const a = b;\n");
    put('electron/kernel/b.ts', "import type { a } from './a';\nexport const b: typeof a | 1 = 1;\n");
    try {
      const v: string[] = checkArchitecture(t);
      expect(v.some((l) => l.includes('root-helper/ops.ts (root-helper) imports electron/backend'))).toBe(true);
      expect(v.some((l) => l.includes('backend/capture/thing.ts (backend) imports electron/front-doors/cli/main.ts'))).toBe(true);
      expect(v.some((l) => l.includes('preload/api.ts (preload) imports shared/api.ts'))).toBe(true);
      expect(v.some((l) => l.startsWith('import cycle: electron/kernel/a.ts -> electron/kernel/b.ts'))).toBe(true);
    } finally {
      rmSync(t, { recursive: true, force: true });
    }
  });
});

describe('bundle contents (scripts/check-bundles.mjs)', () => {
  it('every bundle holds only what it runs (the build wrote the metafiles)', () => {
    if (!existsSync(path.join(ROOT, 'dist/meta/helper.cjs.json'))) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT });
    const { violations, sizes } = checkBundles(ROOT);
    expect(violations).toEqual([]);
    console.log(`[bundles] ${Object.entries(sizes as Record<string, number>).map(([n, s]) => `${n} ${(s / 1024).toFixed(1)} kB`).join(', ')}`);
  });

  it('catch a root bundle that pulled in the backend or dockerode, and a heavy preload', () => {
    const meta = (inputs: string[]) => ({ outputs: { 'x.cjs': { entryPoint: 'e.ts', inputs: Object.fromEntries(inputs.map((i) => [i, { bytesInOutput: 1 }])) } } });
    expect(checkBundle('helper.cjs', meta(['electron/root-helper/main.ts', 'electron/backend/create-backend.ts', 'node_modules/dockerode/lib/docker.js']), 1).length).toBe(2);
    expect(checkBundle('preload.cjs', meta(['electron/front-doors/preload/preload.ts']), 30_000)).toHaveLength(1);
    expect(checkBundle('cli.cjs', meta(['node_modules/@grpc/grpc-js/build/src/index.js']), 1)).toHaveLength(1);
  });
});
