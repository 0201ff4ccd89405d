// Level of detail: what the map draws at a given zoom, so that whatever text it draws
// is at least 11 px on screen. Components subscribe to the tier (not the zoom), so
// panning and zooming within a tier re-render nothing.
import { useStore, type ReactFlowState } from '@xyflow/react';

/** near: everything; mid: no edge labels; far: nodes show their names only, large. */
export type ZoomTier = 'near' | 'mid' | 'far';

/** The smallest text on screen, in px (styles.css sizes card text to keep it there). */
export const MIN_TEXT_PX = 11;
/** Card detail is 13 px: at 0.85 it is 11 px on screen. */
export const NODE_DETAIL_MIN_ZOOM = 0.85;
export const EDGE_LABEL_MIN_ZOOM = 1;
/** Names far out are 26 px: readable (11 px) down to this zoom. */
export const FAR_READABLE_ZOOM = 0.43;

export function zoomTier(zoom: number): ZoomTier {
  if (zoom >= EDGE_LABEL_MIN_ZOOM) return 'near';
  if (zoom >= NODE_DETAIL_MIN_ZOOM) return 'mid';
  return 'far';
}

const tierSelector = (s: ReactFlowState): ZoomTier => zoomTier(s.transform[2]);
export const useZoomTier = (): ZoomTier => useStore(tierSelector);
