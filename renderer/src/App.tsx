// The window: header (search, toggles), status banners, the map with its side
// column (top talkers, selection panel), and the captures below.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { buildGraph } from './graph/model';
import { TopologyGraph, type FocusRequest } from './graph/TopologyGraph';
import { RatesContext } from './graph/context';
import { useTopology } from './hooks/useTopology';
import { useStatus } from './hooks/useStatus';
import { useRates } from './hooks/useRates';
import { useCaptures } from './hooks/useCaptures';
import { useColorScheme } from './hooks/useColorScheme';
import { StatusBanner } from './states/StatusBanner';
import { SidePanel } from './panel/SidePanel';
import { TopTalkers } from './TopTalkers';
import { RunningCaptures } from './captures/RunningCaptures';
import { SavedCaptures } from './captures/SavedCaptures';
import { isLive } from './captures/targets';

export function App() {
  const { topology, error: topoError, loading, refresh } = useTopology();
  const { status, retrying, retryHelper } = useStatus();
  const rates = useRates();
  const { captures, upsert, remove } = useCaptures();
  const scheme = useColorScheme();
  const [showStopped, setShowStopped] = useState(true);
  const [selected, setSelected] = useState<string[]>([]);
  const [focus, setFocus] = useState<FocusRequest | null>(null);
  const [search, setSearch] = useState('');

  const model = useMemo(() => (topology ? buildGraph(topology, { showStopped }) : null), [topology, showStopped]);
  const selectedNodes = useMemo(() => (model ? model.nodes.filter((n) => selected.includes(n.id)) : []), [model, selected]);

  const query = search.trim().toLowerCase();
  const match = useMemo(() => {
    if (!model || !query) return null;
    return model.nodes.find((n) => n.containers.some((c) => c.name.toLowerCase().includes(query))) ?? model.nodes.find((n) => n.kind !== 'group' && n.label.toLowerCase().includes(query)) ?? null;
  }, [model, query]);
  useEffect(() => {
    if (match) setFocus((f) => ({ id: match.id, seq: (f?.seq ?? 0) + 1 }));
  }, [match?.id]); // eslint-disable-line react-hooks/exhaustive-deps -- centre once per new match, not per poll

  const onSelect = useCallback((id: string, additive: boolean) => {
    setSelected((cur) => (additive ? (cur.includes(id) ? cur.filter((x) => x !== id) : [...cur, id]) : [id]));
  }, []);
  const clear = useCallback(() => setSelected([]), []);

  const pickContainer = useCallback(
    (containerId: string) => {
      const node = model?.nodes.find((n) => n.containers.some((c) => c.id === containerId));
      if (!node) return;
      setSelected([node.id]);
      setFocus((f) => ({ id: node.id, seq: (f?.seq ?? 0) + 1 }));
    },
    [model],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || document.querySelector('dialog[open]')) return;
      setSelected([]);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const running = captures.filter(isLive);
  const saved = captures.filter((c) => !isLive(c));
  const containerCount = topology?.containers.length ?? 0;
  const stoppedCount = topology?.containers.filter((c) => c.state !== 'running').length ?? 0;

  return (
    <RatesContext.Provider value={rates}>
      <div className={`vs-app theme-${scheme}`}>
        <header className="vs-header">
          <h1>vethscope</h1>
          <label className="vs-search">
            <span className="vs-sr">Find container</span>
            <input type="search" placeholder="Find container…" value={search} onChange={(e) => setSearch(e.target.value)} onKeyDown={(e) => {
              if (e.key === 'Enter' && match) setSelected([match.id]);
            }} />
          </label>
          {query && !match && <span className="vs-muted" role="status">No match</span>}
          <label className="vs-toggle">
            <input type="checkbox" checked={showStopped} onChange={(e) => setShowStopped(e.target.checked)} />
            Show stopped ({stoppedCount})
          </label>
          <span className="vs-muted vs-count" role="status">
            {topology ? `${containerCount} containers · ${topology.namespaces.length} namespaces · discovered in ${Math.round(topology.elapsedMs)} ms` : ''}
          </span>
        </header>
        <StatusBanner status={status} topology={topology} topologyError={topoError} retrying={retrying} onRetryHelper={() => void retryHelper()} onRetryTopology={refresh} />
        <main className="vs-main">
          <div className="vs-map">
            {loading && !topology && (
              <div className="vs-empty" role="status">
                Discovering namespaces and containers…
              </div>
            )}
            {!loading && !topology && !topoError && <div className="vs-empty">No topology.</div>}
            {model && (
              <ReactFlowProvider>
                <TopologyGraph model={model} selected={selected} highlighted={match?.id ?? null} focus={focus} onSelect={onSelect} onClearSelection={clear} colorMode={scheme} />
              </ReactFlowProvider>
            )}
            {topology && topology.docker.available && containerCount === 0 && (
              <div className="vs-empty vs-empty-overlay" role="status" data-testid="no-containers">
                <p>
                  <strong>No containers.</strong> Start one (for example <code>docker run -d --name web nginx</code>) and it appears here within two seconds.
                </p>
              </div>
            )}
          </div>
          <div className="vs-side">
            <TopTalkers onPick={pickContainer} />
            {selectedNodes.length > 0 ? (
              <SidePanel nodes={selectedNodes} onClose={clear} onCaptureStarted={upsert} />
            ) : (
              <p className="vs-muted vs-side-hint">Click a container to see its interfaces and capture its traffic. Shift/Ctrl-click to select several.</p>
            )}
          </div>
        </main>
        <div className="vs-bottom">
          <RunningCaptures captures={running} onUpdate={upsert} />
          <SavedCaptures captures={saved} status={status} onDeleted={remove} />
        </div>
      </div>
    </RatesContext.Provider>
  );
}
