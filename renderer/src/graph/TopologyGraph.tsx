// The map: React Flow over a band layout (layout.ts) that is recomputed only when the wiring changes.
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { Background, ControlButton, Controls, getViewportForBounds, MiniMap, ReactFlow, useReactFlow, useStoreApi, type Edge, type Node } from '@xyflow/react';
import type { GraphModel } from './model';
import { boundsOf, layoutGraph, type Box, type PositionCache } from './layout';
import { NODE_DETAIL_MIN_ZOOM } from './lod';
import { NetnsNode } from './NetnsNode';
import { HostNode } from './HostNode';
import { GroupNode } from './GroupNode';
import { RateEdge } from './RateEdge';

/** Fit never zooms in past natural size. */
const FIT_MAX_ZOOM = 1;

const nodeTypes = { netns: NetnsNode, host: HostNode, bridge: HostNode, project: GroupNode };
const edgeTypes = { rate: RateEdge };

export interface FocusRequest {
  id: string;
  seq: number;
}

interface Props {
  model: GraphModel;
  selected: string[];
  highlighted: string | null;
  focus: FocusRequest | null;
  onSelect: (id: string, additive: boolean) => void;
  onClearSelection: () => void;
  colorMode: 'light' | 'dark';
}

/** Layout only when the structure key changes; the cache survives across calls. */
function useLayout(model: GraphModel): Map<string, Box> {
  const cache = useRef<PositionCache>(new Map());
  const last = useRef<{ key: string; boxes: Map<string, Box> } | null>(null);
  if (!last.current || last.current.key !== model.structureKey) {
    last.current = { key: model.structureKey, boxes: layoutGraph(model, cache.current) };
  }
  return last.current.boxes;
}

export function TopologyGraph({ model, selected, highlighted, focus, onSelect, onClearSelection, colorMode }: Props) {
  const boxes = useLayout(model);
  const flow = useReactFlow();

  const nodes: Node[] = useMemo(() => {
    const sel = new Set(selected);
    return model.nodes
      .filter((n) => boxes.has(n.id))
      .map((n) => {
        const b = boxes.get(n.id)!;
        const parentBox = n.parent ? boxes.get(n.parent) : undefined;
        const position = parentBox ? { x: b.x - parentBox.x, y: b.y - parentBox.y } : { x: b.x, y: b.y };
        if (n.kind === 'group') {
          return {
            id: n.id,
            type: 'project',
            position,
            data: { g: n },
            style: { width: b.width, height: b.height },
            width: b.width,
            height: b.height,
            selectable: false,
            focusable: false,
            ariaRole: 'group',
            ariaLabel: n.label,
            zIndex: -1,
          } satisfies Node;
        }
        const type = n.kind === 'stopped' ? 'netns' : n.kind;
        return {
          id: n.id,
          type,
          position,
          parentId: parentBox ? n.parent : undefined,
          data: { g: n, highlighted: highlighted === n.id, chosen: sel.has(n.id) },
          width: n.width,
          height: n.height,
          // The container name is the node's accessible name (e2e tests and screen readers rely on it).
          ariaRole: 'button',
          ariaLabel: n.label,
          selected: sel.has(n.id),
        } satisfies Node;
      });
  }, [model, boxes, selected, highlighted]);

  const edges: Edge[] = useMemo(
    () =>
      model.edges
        .filter((e) => boxes.has(e.source) && boxes.has(e.target))
        .map((e) => ({ id: e.id, source: e.source, target: e.target, type: 'rate', data: { g: e }, focusable: false, selectable: false, ariaLabel: e.label || 'host to bridge' })),
    [model, boxes],
  );

  useEffect(() => {
    if (!focus) return;
    const b = boxes.get(focus.id);
    if (b) void flow.setCenter(b.x + b.width / 2, b.y + b.height / 2, { zoom: Math.max(flow.getZoom(), 0.9), duration: 300 });
  }, [focus, boxes, flow]);

  // React Flow's own fitView measures rendered nodes, and onlyRenderVisibleElements
  // never renders the off-screen ones: fit to the layout's own bounds instead.
  // Never zoom in past natural size to fit: a lone host node would fill the screen.
  const store = useStoreApi();
  const fitAll = useCallback(() => {
    const b = boundsOf(boxes.values());
    const { width, height } = store.getState();
    if (b && width > 0 && height > 0) void flow.setViewport(getViewportForBounds(b, width, height, 0.01, FIT_MAX_ZOOM, 0.05));
  }, [boxes, flow, store]);
  // The first frame already uses the opening viewport (no render at zoom 1 first:
  // that would draw and measure every edge label in view, only to throw it away).
  const [opening] = useState(() => {
    const w = Math.max(200, window.innerWidth - 380);
    const h = Math.max(200, window.innerHeight - 150);
    return initialViewport(boxes, w, h);
  });
  const fitted = useRef(false);
  useEffect(() => {
    if (fitted.current || !boxes.size) return;
    fitted.current = true;
    if (!opening) fitAll();
  }, [boxes, fitAll, opening]);

  const onNodeClick = useCallback(
    (e: MouseEvent, node: Node) => {
      if (node.type === 'project') return;
      onSelect(node.id, e.shiftKey || e.ctrlKey || e.metaKey);
    },
    [onSelect],
  );

  // React Flow makes nodes focusable; Enter/Space on a focused node opens it like a click.
  const onKeyDown = useCallback(
    (e: KeyboardEvent) => {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      const el = (e.target as HTMLElement).closest('.react-flow__node') as HTMLElement | null;
      const id = el?.dataset.id;
      if (!id || id.startsWith('g:')) return;
      e.preventDefault();
      onSelect(id, e.shiftKey || e.ctrlKey || e.metaKey);
    },
    [onSelect],
  );

  return (
    <div className="vs-graph" onKeyDown={onKeyDown}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodeClick={onNodeClick}
        onPaneClick={onClearSelection}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        nodesFocusable
        selectionKeyCode={null}
        multiSelectionKeyCode={null}
        deleteKeyCode={null}
        onlyRenderVisibleElements
        defaultViewport={opening ?? { x: 0, y: 0, zoom: 0.1 }}
        minZoom={0.01}
        maxZoom={2.5}
        colorMode={colorMode}
        proOptions={{ hideAttribution: true }}
        ariaLabelConfig={{ 'node.a11yDescription.default': 'Press Enter to open, Shift+Enter to add to the selection.' }}
      >
        <Background gap={24} size={1} />
        <Controls showInteractive={false} showFitView={false}>
          <ControlButton onClick={fitAll} aria-label="Fit the whole map" title="Fit the whole map">
            ⤢
          </ControlButton>
        </Controls>
        {model.nodes.length < 400 && <MiniMap pannable zoomable position="bottom-right" style={{ width: 160, height: 100 }} ariaLabel="Overview map" />}
      </ReactFlow>
    </div>
  );
}

/** Default zoom when the whole map would be too small to read. */
export const READABLE_ZOOM = 0.55;

/**
 * Where the map opens: fit-all when that is readable; otherwise (hundreds of
 * containers) a readable zoom on the map's top-left corner, where the layout puts
 * the host, the busiest bridge and its first containers, so the first screen shows
 * how things are wired rather than 300 specks. Fit is one click away (the ⤢
 * control). Returns null for "fit all".
 */
export function initialViewport(boxes: Map<string, Box>, width: number, height: number): { x: number; y: number; zoom: number } | null {
  const all = boundsOf(boxes.values());
  if (!all || width <= 0 || height <= 0) return null;
  const fitZoom = Math.min(width / all.width, height / all.height) / 1.1;
  if (fitZoom >= NODE_DETAIL_MIN_ZOOM) return null;
  const zoom = READABLE_ZOOM;
  const margin = 24;
  return { x: margin - all.x * zoom, y: margin - all.y * zoom, zoom };
}
