// A compose project's or a pod's frame: a coloured outline with its name.
import { memo } from 'react';
import type { NodeProps, Node } from '@xyflow/react';
import type { GraphNode } from './model';
import { useZoomTier } from './lod';

export type GroupFlowNode = Node<{ g: GraphNode }, 'project'>;

/** Stable hue per project name so a project keeps its colour between sessions. */
export function projectHue(name: string): number {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return h;
}

function GroupNodeImpl({ data }: NodeProps<GroupFlowNode>) {
  const hue = projectHue(data.g.project ?? data.g.pod ?? '');
  const far = useZoomTier() === 'far';
  return (
    <div className={far ? 'vs-group is-far' : 'vs-group'} style={{ ['--hue' as string]: String(hue) }}>
      <div className="vs-group-title">{data.g.project ?? data.g.label}</div>
    </div>
  );
}
export const GroupNode = memo(GroupNodeImpl);
