// Electron entry point (bundled to dist/main.cjs). Thin on purpose: see app.ts.
import * as electron from 'electron';
import { runMain } from './app';

runMain(electron, { distDir: __dirname });
