// What the map shows, measured in the page: the zoom, the smallest text in view, which
// nodes are in view, and whether one box covers another.
import type { Locator, Page } from '@playwright/test';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
export const inside = (a: Rect, outer: Rect) => a.x >= outer.x - 0.5 && a.y >= outer.y - 0.5 && a.x + a.width <= outer.x + outer.width + 0.5 && a.y + a.height <= outer.y + outer.height + 0.5;

// Browser-side code is given as strings: this project type-checks without the DOM library.
const ZOOM_JS = `(() => { const t = getComputedStyle(document.querySelector('.react-flow__viewport')).transform; return t === 'none' ? 1 : new DOMMatrixReadOnly(t).a; })()`;

/** The map's zoom (React Flow's viewport transform). */
export const mapZoom = (page: Page) => page.evaluate<number>(ZOOM_JS);

/**
 * The smallest text drawn inside the map pane, in screen pixels (font size times the zoom),
 * over every visible element that holds text of its own: node cards, project titles, edge labels.
 */
export function smallestMapText(page: Page): Promise<{ px: number; text: string; count: number }> {
  return page.evaluate(`(() => {
    const pane = document.querySelector('.vs-map').getBoundingClientRect();
    const zoom = ${ZOOM_JS};
    let px = Infinity, text = '', count = 0;
    for (const el of document.querySelectorAll('.react-flow__nodes *, .react-flow__edgelabel-renderer *, .react-flow__edge-text')) {
      const own = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent || '').trim() !== '');
      if (!own) continue;
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (r.width === 0 || r.height === 0 || style.display === 'none' || style.visibility === 'hidden') continue;
      if (r.right < pane.left || r.left > pane.right || r.bottom < pane.top || r.top > pane.bottom) continue;
      count++;
      const size = parseFloat(style.fontSize) * zoom;
      if (size < px) { px = size; text = (el.textContent || '').trim().slice(0, 60); }
    }
    return { px, text, count };
  })()`);
}

/** The locator's box lies wholly inside the map pane. */
export async function inMapView(page: Page, node: Locator): Promise<boolean> {
  const [b, pane] = await Promise.all([node.boundingBox(), page.locator('.vs-map').boundingBox()]);
  return Boolean(b && pane && inside(b, pane));
}

/** Until the map stops moving (a search centres it with a 300 ms animation): two samples 400 ms apart agree. */
export async function untilStill(node: Locator): Promise<void> {
  let last = '';
  for (let i = 0; i < 50; i++) {
    const box = JSON.stringify(await node.boundingBox());
    if (box === last) return;
    last = box;
    await node.page().waitForTimeout(400);
  }
}
