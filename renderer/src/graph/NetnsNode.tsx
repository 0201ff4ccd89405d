// A container namespace (one or several containers sharing it), an `ip netns`
// namespace, or a stopped container. Shows interfaces, and live rate + sparkline.
import { memo, useContext } from 'react';
import { Handle, Position, type NodeProps, type Node } from '@xyflow/react';
import type { GraphNode } from './model';
import { RatesContext } from './context';
import { Sparkline } from './Sparkline';
import { formatBitRate } from '../../../shared/units';
import { useZoomTier } from './lod';
import { printable } from '../../../shared/text';

export type NetnsNodeData = { g: GraphNode; highlighted: boolean; chosen: boolean };
export type NetnsFlowNode = Node<NetnsNodeData, 'netns'>;

function NetnsNodeImpl({ data }: NodeProps<NetnsFlowNode>) {
  const { g, highlighted, chosen } = data;
  const far = useZoomTier() === 'far';
  const stopped = g.kind === 'stopped';
  const cls = ['vs-node', 'vs-netns', stopped ? 'is-stopped' : '', highlighted ? 'is-highlighted' : '', chosen ? 'is-chosen' : '', far ? 'is-far' : ''].join(' ');
  if (far) {
    // Zoomed far out: names only, large enough to read (the node keeps its size).
    return (
      <div className={cls}>
        <Handle type="target" position={Position.Left} isConnectable={false} />
        {g.containers.length ? g.containers.map((c) => <div key={c.id} className="vs-node-name">{printable(c.name)}</div>) : <div className="vs-node-name">{g.names[0] ? `netns ${printable(g.names[0])}` : `netns ${g.netns}`}</div>}
        <Handle type="source" position={Position.Right} isConnectable={false} />
      </div>
    );
  }
  return <NetnsDetail g={g} cls={cls} />;
}

function NetnsDetail({ g, cls }: { g: GraphNode; cls: string }) {
  const rates = useContext(RatesContext);
  const stopped = g.kind === 'stopped';
  const primary = g.containers[0];
  // Sum of this namespace's containers' rates (shared namespaces report the same counters: take the first).
  const cr = primary ? rates.sample?.containers.find((c) => c.id === primary.id) : undefined;
  const hist = primary ? rates.history.get(primary.id) : undefined;
  return (
    <div className={cls}>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="vs-node-title">
        {g.containers.length ? (
          g.containers.map((c) => (
            <div key={c.id} className="vs-node-name">
              {printable(c.name)}
            </div>
          ))
        ) : (
          <div className="vs-node-name">{g.names[0] ? `netns ${printable(g.names[0])}` : `netns ${g.netns}`}</div>
        )}
      </div>
      <div className="vs-node-sub">
        {primary ? `${primary.engine === 'docker' ? '' : `${primary.engine} · `}${primary.image ? `${printable(primary.image)} · ` : ''}${primary.state}${primary.user !== null ? ' · rootless' : ''}` : `namespace ${g.netns}`}
        {g.pod ? ` · pod ${printable(g.pod)}` : g.containers.length > 1 ? ' · shared netns' : ''}
      </div>
      {g.interfaces.map((i) => (
        <div key={i.name} className="vs-iface">
          <span className="vs-iface-name">{printable(i.name)}</span>
          <span className="vs-iface-addr">{i.addresses.find((a) => !a.includes(':')) ?? i.kind}</span>
        </div>
      ))}
      {!stopped && (
        <div className="vs-node-rate">
          <Sparkline values={hist ?? []} />
          <span className="vs-rate-text">{cr ? formatBitRate(cr.rxBytesPerSec + cr.txBytesPerSec) : ''}</span>
        </div>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}
export const NetnsNode = memo(NetnsNodeImpl);
