// An edge whose width and colour follow the current rate of the interface that
// carries it. Rate changes re-render the edge only; the layout never moves.
import { memo, useContext } from 'react';
import { BaseEdge, getBezierPath, type EdgeProps, type Edge } from '@xyflow/react';
import type { GraphEdge } from './model';
import { rateKeyString } from './model';
import { RatesContext } from './context';
import { rateLevel, rateWidth } from './rateStyle';
import { formatBitRate } from '../../../shared/units';
import { useZoomTier } from './lod';

/** Beyond these (flow px), an edge is "long": see below. */
export const LONG_EDGE_DX = 700;
export const LONG_EDGE_DY = 500;

export type RateFlowEdge = Edge<{ g: GraphEdge }, 'rate'>;

function RateEdgeImpl({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data }: EdgeProps<RateFlowEdge>) {
  const rates = useContext(RatesContext);
  // Labels only when they can be read: below that they are clutter (and each one is measured).
  // Zoomed out, hundreds of veths would bury the nodes: draw them thin and faint.
  // A long edge (a bridge reaching across rows of a large map) is drawn faint and
  // unlabelled even close up: its label would land in the middle of other nodes'
  // edges; the rate is on the node it leads to anyway.
  const long = Math.abs(targetX - sourceX) > LONG_EDGE_DX || Math.abs(targetY - sourceY) > LONG_EDGE_DY;
  const near = useZoomTier() === 'near' && !long;
  const showLabel = near;
  const g = data?.g;
  const r = g?.rateKey ? rates.byIface.get(rateKeyString(g.rateKey)) : undefined;
  const bps = r ? r.rxBytesPerSec + r.txBytesPerSec : 0;
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const level = r ? rateLevel(bps) : 'none';
  const label = showLabel && g?.label ? (r && bps >= 1 ? `${g.label} · ${formatBitRate(bps)}` : g.label) : undefined;
  return (
    <BaseEdge
      id={id}
      path={path}
      className={`vs-edge vs-edge-${g?.kind ?? 'veth'} rate-${level}${near ? '' : ' is-faint'}`}
      style={{ strokeWidth: r && near ? rateWidth(bps) : undefined }}
      label={label}
      labelX={labelX}
      labelY={labelY}
      labelShowBg
      labelBgPadding={[4, 2]}
      labelBgBorderRadius={3}
      labelStyle={{ fontSize: 12 }}
    />
  );
}
export const RateEdge = memo(RateEdgeImpl);
