// An edge whose width and colour follow the current rate of the interface that
// carries it. Rate changes re-render the edge only; the layout never moves.
import { memo, useContext } from 'react';
import { BaseEdge, getBezierPath, type EdgeProps, type Edge } from '@xyflow/react';
import type { GraphEdge } from './model';
import { rateKeyString } from './model';
import { RatesContext } from './context';
import { rateLevel, rateWidth } from './rateStyle';
import { formatRate } from '../lib/format';
import { useZoomTier } from './lod';

export type RateFlowEdge = Edge<{ g: GraphEdge }, 'rate'>;

function RateEdgeImpl({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data }: EdgeProps<RateFlowEdge>) {
  const rates = useContext(RatesContext);
  // Labels only when they can be read: below that they are clutter (and each one is measured).
  // Zoomed out, hundreds of veths would bury the nodes: draw them thin and faint.
  const near = useZoomTier() === 'near';
  const showLabel = near;
  const g = data?.g;
  const r = g?.rateKey ? rates.byIface.get(rateKeyString(g.rateKey)) : undefined;
  const bps = r ? r.rxBytesPerSec + r.txBytesPerSec : 0;
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const level = r ? rateLevel(bps) : 'none';
  const label = showLabel && g?.label ? (r && bps >= 1 ? `${g.label} · ${formatRate(bps)}` : g.label) : undefined;
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
      labelStyle={{ fontSize: 10 }}
    />
  );
}
export const RateEdge = memo(RateEdgeImpl);
