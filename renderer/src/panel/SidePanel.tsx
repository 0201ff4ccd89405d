// The panel for the current selection: details of each node, then one capture form.
import { useEffect, useRef } from 'react';
import type { CaptureInfo } from '../../../shared/capture';
import type { GraphNode } from '../graph/model';
import { NodeDetails } from './NodeDetails';
import { CaptureForm } from './CaptureForm';

interface Props {
  nodes: GraphNode[];
  /** What is selected (containers by id): the panel and its form stay while a container restarts. */
  selectionKeys: string[];
  onClose: () => void;
  onCaptureStarted: (c: CaptureInfo) => void;
  /** The remote host of each node (renderer/src/hosts/): titles and targets name it. */
  hostOf?: (n: GraphNode) => string | undefined;
}

export function SidePanel({ nodes, selectionKeys, onClose, onCaptureStarted, hostOf }: Props) {
  const heading = useRef<HTMLHeadingElement>(null);
  const ids = selectionKeys.join(',');
  // Move focus into the panel when the selection changes, so keyboard users land on it.
  useEffect(() => {
    heading.current?.focus({ preventScroll: true });
  }, [ids]);
  const onHost = hostOf && nodes.length === 1 ? hostOf(nodes[0]!) : undefined;
  const title = nodes.length === 1 ? `${onHost ? `${onHost}: ` : ''}${nodes[0]!.label}` : `${nodes.length} selected`;
  return (
    <aside className="vs-panel" aria-label="Selection details">
      <header className="vs-panel-head">
        <h2 ref={heading} tabIndex={-1}>
          {title}
        </h2>
        <button type="button" onClick={onClose} aria-label="Close panel" title="Close (Escape)">
          ×
        </button>
      </header>
      {nodes.length > 1 && <p className="vs-muted">Shift/Ctrl-click adds or removes nodes. One capture will record all of them into one file.</p>}
      {nodes.map((n) => (
        <NodeDetails key={n.id} node={n} />
      ))}
      <h3>Capture</h3>
      <CaptureForm key={ids} nodes={nodes} onStarted={onCaptureStarted} {...(hostOf ? { hostOf } : {})} />
    </aside>
  );
}
