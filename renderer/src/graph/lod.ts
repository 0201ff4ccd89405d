// Level of detail: what the map draws at a given zoom. Components subscribe to the
// tier (not the zoom), so panning and zooming within a tier re-render nothing.
import { useStore, type ReactFlowState } from '@xyflow/react';

/** near: everything; mid: no edge labels; far: nodes show their names only. */
export type ZoomTier = 'near' | 'mid' | 'far';

export const EDGE_LABEL_MIN_ZOOM = 0.7;
export const NODE_DETAIL_MIN_ZOOM = 0.4;

export function zoomTier(zoom: number): ZoomTier {
  if (zoom >= EDGE_LABEL_MIN_ZOOM) return 'near';
  if (zoom >= NODE_DETAIL_MIN_ZOOM) return 'mid';
  return 'far';
}

const tierSelector = (s: ReactFlowState): ZoomTier => zoomTier(s.transform[2]);
export const useZoomTier = (): ZoomTier => useStore(tierSelector);
