// The map's overview (React Flow's minimap), drawn beside the map rather than over it,
// so it never covers a node, at any window size. Shares the map's store through the
// ReactFlowProvider around both.
import { useEffect, useRef, useState } from 'react';
import { MiniMap } from '@xyflow/react';

/** Beyond this many nodes the overview costs more than it shows. */
export const OVERVIEW_MAX_NODES = 400;
const HEIGHT = 110;

export function Overview({ nodes, colorMode }: { nodes: number; colorMode: 'light' | 'dark' }) {
  const box = useRef<HTMLElement>(null);
  // The minimap draws in pixels it is given: measure the column it sits in.
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setWidth(Math.floor(el.clientWidth));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  if (nodes === 0 || nodes >= OVERVIEW_MAX_NODES) return null;
  return (
    <section ref={box} className={`vs-overview react-flow ${colorMode}`} aria-label="Overview">
      {width > 0 && <MiniMap pannable zoomable ariaLabel="Overview map" style={{ width, height: HEIGHT }} />}
    </section>
  );
}
