// The map: React Flow over a band layout (layout.ts) that is recomputed only when the wiring changes.
// Keyboard: one Tab stop (roving tabindex over every node in visual order, keyboard.ts), arrows
// and Home/End move, the focused node is kept in view, Enter/Space opens it.
import { useCallback, useEffect, useMemo, useRef, useState, type FocusEvent, type KeyboardEvent, type MouseEvent } from 'react';
import { Background, ControlButton, Controls, ReactFlow, useReactFlow, useStoreApi, type Edge, type Node } from '@xyflow/react';
import type { GraphModel } from './model';
import { boundsOf, layoutGraph, type Box, type PositionCache } from './layout';
import { NetnsNode } from './NetnsNode';
import { HostNode } from './HostNode';
import { GroupNode } from './GroupNode';
import { RateEdge } from './RateEdge';
import { nextInOrder, visualOrder } from './keyboard';
import { centreOn, firstViewport, fitViewport, fitZoom, FOCUS_ZOOM, inView, scrollIntoView, type Viewport } from './viewport';
import { FAR_READABLE_ZOOM } from './lod';

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
  /** Centre this node (a search match, a top talker); the roving node becomes it. */
  focus: FocusRequest | null;
  /** Bumped to give the keyboard focus back to the map's node (Escape, the panel closed). */
  returnFocus: number;
  /** What the first view opens on when the whole map does not fit readably (the searched or busiest container). */
  firstTarget: string | null;
  onSelect: (id: string, additive: boolean) => void;
  onClearSelection: () => void;
  colorMode: 'light' | 'dark';
  /** The element whose size the first view fits (default the local map, `.vs-map`; a remote host's region names its own). */
  paneSelector?: string;
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

/** The map pane's size before React Flow has measured it (the first frame already uses the opening viewport). */
function paneSize(selector = '.vs-map'): { width: number; height: number } {
  const r = document.querySelector(selector)?.getBoundingClientRect();
  if (r && r.width > 0 && r.height > 0) return { width: r.width, height: r.height };
  return { width: Math.max(200, window.innerWidth - 340), height: Math.max(200, window.innerHeight - 150) };
}

export function TopologyGraph({ model, selected, highlighted, focus, returnFocus, firstTarget, onSelect, onClearSelection, colorMode, paneSelector }: Props) {
  const boxes = useLayout(model);
  const flow = useReactFlow();
  const store = useStoreApi();
  const wrapper = useRef<HTMLDivElement>(null);
  const order = useMemo(() => visualOrder(model, boxes), [model, boxes]);
  const [roving, setRoving] = useState<string | null>(null);
  const current = roving !== null && boxes.has(roving) ? roving : (order[0] ?? null);

  const size = useCallback(() => {
    const { width, height } = store.getState();
    return width > 0 && height > 0 ? { width, height } : paneSize(paneSelector);
  }, [store, paneSelector]);
  const viewport = useCallback((): Viewport => flow.getViewport(), [flow]);

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
          // Roving tabindex: only the current node is a Tab stop; arrows reach the others.
          domAttributes: { tabIndex: n.id === current ? 0 : -1 },
        } satisfies Node;
      });
  }, [model, boxes, selected, highlighted, current]);

  const edges: Edge[] = useMemo(
    () =>
      model.edges
        .filter((e) => boxes.has(e.source) && boxes.has(e.target))
        .map((e) => ({ id: e.id, source: e.source, target: e.target, type: 'rate', data: { g: e }, focusable: false, selectable: false, ariaLabel: e.label || 'host to bridge' })),
    [model, boxes],
  );

  /** Bring a node into view (the least move) and, once React Flow draws it, give it the keyboard focus. */
  const focusNode = useCallback(
    (id: string) => {
      const b = boxes.get(id);
      if (!b) return;
      const { width, height } = size();
      const v = viewport();
      if (!inView(b, v, width, height)) void flow.setViewport(scrollIntoView(b, v, width, height));
      let tries = 30;
      const attempt = () => {
        const el = wrapper.current?.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(id)}"]`);
        if (el) el.focus({ preventScroll: true });
        else if (tries-- > 0) requestAnimationFrame(attempt);
      };
      attempt();
    },
    [boxes, flow, size, viewport],
  );

  useEffect(() => {
    if (!focus) return;
    setRoving(focus.id);
    const b = boxes.get(focus.id);
    const { width, height } = size();
    if (b) void flow.setViewport(centreOn(b, width, height, Math.max(flow.getZoom(), FOCUS_ZOOM)), { duration: 300 });
  }, [focus, boxes, flow, size]);

  const firstReturn = useRef(returnFocus);
  useEffect(() => {
    if (returnFocus === firstReturn.current) return;
    if (current) focusNode(current);
    else wrapper.current?.focus();
  }, [returnFocus]); // eslint-disable-line react-hooks/exhaustive-deps -- only when asked, to the node current then

  // React Flow's own fitView measures rendered nodes, and onlyRenderVisibleElements never
  // renders the off-screen ones: fit to the layout's own bounds instead.
  const fitAll = useCallback(() => {
    const b = boundsOf(boxes.values());
    const { width, height } = size();
    if (b) void flow.setViewport(fitViewport(b, width, height));
  }, [boxes, flow, size]);
  // The first frame already uses the opening viewport (no render at zoom 1 first: that
  // would draw and measure every edge label in view, only to throw it away).
  const [opening] = useState(() => {
    const { width, height } = paneSize(paneSelector);
    return { viewport: firstViewport(boxes, width, height, firstTarget), target: firstTarget };
  });
  // Until the user moves the map, a busiest container known only later (rates arrive after the topology) still gets the first view.
  const userMoved = useRef(false);
  useEffect(() => {
    if (userMoved.current || !firstTarget || firstTarget === opening.target) return;
    const { width, height } = size();
    const all = boundsOf(boxes.values());
    const b = boxes.get(firstTarget);
    if (!all || !b || fitZoom(all, width, height) >= FAR_READABLE_ZOOM || inView(b, viewport(), width, height)) return;
    void flow.setViewport(centreOn(b, width, height, FOCUS_ZOOM));
  }, [firstTarget]); // eslint-disable-line react-hooks/exhaustive-deps -- once per new target, before the user moves
  // A map that had nothing to lay out at first gets its first view when it does.
  const opened = useRef(opening.viewport !== null);
  useEffect(() => {
    if (opened.current || !boxes.size) return;
    opened.current = true;
    const { width, height } = size();
    const v = firstViewport(boxes, width, height, firstTarget);
    if (v) void flow.setViewport(v);
  }, [boxes]); // eslint-disable-line react-hooks/exhaustive-deps -- once

  // After the user pans, Tab should land on a node they can see: move the roving node into view when focus is elsewhere.
  const onMoveEnd = useCallback(() => {
    if (wrapper.current?.contains(document.activeElement)) return;
    const { width, height } = size();
    const v = viewport();
    const cur = current ? boxes.get(current) : undefined;
    if (cur && inView(cur, v, width, height)) return;
    const visible = order.find((id) => inView(boxes.get(id)!, v, width, height, 0));
    if (visible) setRoving(visible);
  }, [boxes, current, order, size, viewport]);

  const onNodeClick = useCallback(
    (e: MouseEvent, node: Node) => {
      if (node.type === 'project') return;
      setRoving(node.id);
      onSelect(node.id, e.shiftKey || e.ctrlKey || e.metaKey);
    },
    [onSelect],
  );

  const onKeyDown = useCallback(
    (e: KeyboardEvent) => {
      const el = (e.target as HTMLElement).closest('.react-flow__node') as HTMLElement | null;
      const id = el?.dataset.id ?? null;
      if ((e.key === 'Enter' || e.key === ' ') && id && !id.startsWith('g:')) {
        e.preventDefault();
        onSelect(id, e.shiftKey || e.ctrlKey || e.metaKey);
        return;
      }
      if (!id && e.target !== wrapper.current) return;
      const next = nextInOrder(order, id ?? current, e.key);
      if (!next) return;
      e.preventDefault();
      setRoving(next);
      focusNode(next);
    },
    [current, focusNode, onSelect, order],
  );

  // Focus landing on a node (Tab, a click, a screen reader) makes it the roving node, in view.
  const onFocus = useCallback(
    (e: FocusEvent) => {
      const el = e.target as HTMLElement;
      if (el === wrapper.current) {
        if (current) focusNode(current);
        return;
      }
      const id = el.classList.contains('react-flow__node') ? el.dataset.id : undefined;
      if (!id || id.startsWith('g:')) return;
      setRoving(id);
      const b = boxes.get(id);
      const { width, height } = size();
      const v = viewport();
      if (b && !inView(b, v, width, height)) void flow.setViewport(scrollIntoView(b, v, width, height));
    },
    [boxes, current, flow, focusNode, size, viewport],
  );

  return (
    // The wrapper is focusable (Escape returns here) and a Tab stop only when the map has no node.
    <div className="vs-graph" ref={wrapper} onKeyDown={onKeyDown} onFocus={onFocus} tabIndex={current ? -1 : 0} aria-label="Topology map">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodeClick={onNodeClick}
        onPaneClick={onClearSelection}
        onMoveStart={(ev) => {
          if (ev) userMoved.current = true;
        }}
        onMoveEnd={onMoveEnd}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        nodesFocusable
        autoPanOnNodeFocus={false}
        selectionKeyCode={null}
        multiSelectionKeyCode={null}
        deleteKeyCode={null}
        onlyRenderVisibleElements
        defaultViewport={opening.viewport ?? { x: 0, y: 0, zoom: 0.1 }}
        minZoom={0.01}
        maxZoom={2.5}
        colorMode={colorMode}
        proOptions={{ hideAttribution: true }}
        ariaLabelConfig={{ 'node.a11yDescription.default': 'Arrow keys move between nodes, Home and End go to the first and last. Enter opens, Shift+Enter adds to the selection.' }}
      >
        <Background gap={24} size={1} />
        <Controls showInteractive={false} showFitView={false}>
          <ControlButton onClick={fitAll} aria-label="Fit the whole map" title="Fit the whole map">
            ⤢
          </ControlButton>
        </Controls>
      </ReactFlow>
    </div>
  );
}
