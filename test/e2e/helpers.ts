import { test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';

export const SHOTS = 'test/artifacts/screenshots';
mkdirSync(SHOTS, { recursive: true });

export function skipUnlessReady() {
  test.skip(!!process.env.VSU_E2E_SKIP, process.env.VSU_E2E_SKIP ?? '');
}

export const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/${name}.png` });

/** A container node on the map, by its accessible name (the container name). */
export const containerNode = (page: Page, name: string) => page.getByRole('button', { name, exact: false }).and(page.locator('.react-flow__node'));
