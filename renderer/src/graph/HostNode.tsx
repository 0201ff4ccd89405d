// The host namespace (physical interfaces) and its bridges.
import { memo } from 'react';
import { Handle, Position, type NodeProps, type Node } from '@xyflow/react';
import type { GraphNode } from './model';
import { useZoomTier } from './lod';
import { printable } from '../../../shared/text';

export type HostNodeData = { g: GraphNode; highlighted: boolean; chosen: boolean };
export type HostFlowNode = Node<HostNodeData, 'host' | 'bridge'>;

function HostNodeImpl({ data }: NodeProps<HostFlowNode>) {
  const { g, chosen } = data;
  const far = useZoomTier() === 'far' ? ' is-far' : '';
  if (g.kind === 'bridge') {
    const br = g.interfaces[0];
    const nets = g.networks ?? [];
    const addr = br?.addresses.find((a) => !a.includes(':')) ?? br?.state;
    return (
      <div className={`vs-node vs-bridge ${chosen ? 'is-chosen' : ''}${far}`}>
        <Handle type="target" position={Position.Left} isConnectable={false} />
        {far ? (
          // Far out: the name people know it by, large (the dashed frame says "bridge").
          <div className="vs-node-name">{nets.length ? nets.map(printable).join(', ') : printable(br?.name ?? '')}</div>
        ) : nets.length > 0 ? (
          <>
            {/* The Docker network is what people know it by; the kernel's bridge name below it. */}
            <div className="vs-node-name" title={`network ${nets.join(', ')}`}>
              {nets.map(printable).join(', ')}
            </div>
            <div className="vs-node-sub">bridge {printable(br?.name ?? '')}</div>
            <div className="vs-node-sub">{addr}</div>
          </>
        ) : (
          <>
            <div className="vs-node-name">bridge {printable(br?.name ?? '')}</div>
            <div className="vs-node-sub">{addr}</div>
          </>
        )}
        <Handle type="source" position={Position.Right} isConnectable={false} />
      </div>
    );
  }
  return (
    <div className={`vs-node vs-host ${chosen ? 'is-chosen' : ''}${far}`}>
      <div className="vs-node-name">Host</div>
      <div className="vs-node-sub">namespace {g.netns}</div>
      {g.interfaces.map((i) => (
        <div key={i.name} className="vs-iface">
          <span className="vs-iface-name">{printable(i.name)}</span>
          <span className="vs-iface-addr">{i.addresses.find((a) => !a.includes(':')) ?? i.kind}</span>
        </div>
      ))}
      {g.containers.length > 0 && <div className="vs-iface">host network: {g.containers.map((c) => printable(c.name)).join(', ')}</div>}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}
export const HostNode = memo(HostNodeImpl);
