// Where the map opens, and what "in view" means. Pure: unit-tested.
import { boundsOf, type Box } from './layout';
import { FAR_READABLE_ZOOM } from './lod';

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

/** Fit never zooms in past natural size: a lone host node would fill the screen. */
export const FIT_MAX_ZOOM = 1;
/** The zoom a first view (or a search) opens a container at: every card's text at its own size. */
export const FOCUS_ZOOM = 1;
const FIT_PADDING = 1.1;

/** The zoom that fits `all` into width x height (capped at natural size). */
export function fitZoom(all: Box, width: number, height: number): number {
  return Math.min(FIT_MAX_ZOOM, Math.min(width / all.width, height / all.height) / FIT_PADDING);
}

/** The viewport that shows `all`, centred. */
export function fitViewport(all: Box, width: number, height: number): Viewport {
  const zoom = fitZoom(all, width, height);
  return { zoom, x: width / 2 - (all.x + all.width / 2) * zoom, y: height / 2 - (all.y + all.height / 2) * zoom };
}

/** `box` centred at `zoom`. */
export function centreOn(box: Box, width: number, height: number, zoom: number): Viewport {
  return { zoom, x: width / 2 - (box.x + box.width / 2) * zoom, y: height / 2 - (box.y + box.height / 2) * zoom };
}

/**
 * The first view, fitted to what matters: the whole map when it fits with its names
 * readable (at least 11 px on screen); otherwise the searched container, else the busiest,
 * else the map's top-left corner (the host and its busiest bridge), at natural size.
 */
export function firstViewport(boxes: Map<string, Box>, width: number, height: number, target: string | null): Viewport | null {
  const all = boundsOf(boxes.values());
  if (!all || width <= 0 || height <= 0) return null;
  if (fitZoom(all, width, height) >= FAR_READABLE_ZOOM) return fitViewport(all, width, height);
  const box = target ? boxes.get(target) : undefined;
  if (box) return centreOn(box, width, height, FOCUS_ZOOM);
  const margin = 24;
  return { x: margin - all.x * FOCUS_ZOOM, y: margin - all.y * FOCUS_ZOOM, zoom: FOCUS_ZOOM };
}

/** Whether `box` lies wholly inside the visible part of the map (with a margin). */
export function inView(box: Box, v: Viewport, width: number, height: number, margin = 8): boolean {
  const x0 = box.x * v.zoom + v.x;
  const y0 = box.y * v.zoom + v.y;
  return x0 >= margin && y0 >= margin && x0 + box.width * v.zoom <= width - margin && y0 + box.height * v.zoom <= height - margin;
}

/** The smallest move that brings `box` into view at the same zoom (centred when it cannot fit). */
export function scrollIntoView(box: Box, v: Viewport, width: number, height: number, margin = 24): Viewport {
  const w = box.width * v.zoom;
  const h = box.height * v.zoom;
  if (w + 2 * margin > width || h + 2 * margin > height) return centreOn(box, width, height, v.zoom);
  let { x, y } = v;
  const x0 = box.x * v.zoom + x;
  const y0 = box.y * v.zoom + y;
  if (x0 < margin) x += margin - x0;
  else if (x0 + w > width - margin) x -= x0 + w - (width - margin);
  if (y0 < margin) y += margin - y0;
  else if (y0 + h > height - margin) y -= y0 + h - (height - margin);
  return { x, y, zoom: v.zoom };
}
