// The window: header (search, toggles), status banners, the map with its side
// column (overview, top talkers, selection panel), and the captures below.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { buildGraph, type GraphModel } from './graph/model';
import { TopologyGraph, type FocusRequest } from './graph/TopologyGraph';
import { RatesContext } from './graph/context';
import { Overview } from './graph/Overview';
import { searchGraph } from './graph/search';
import { selectedNodes, selectionKey } from './graph/selection';
import { useTopology } from './hooks/useTopology';
import { useStatus } from './hooks/useStatus';
import { useRates, type RatesView } from './hooks/useRates';
import { useCaptures } from './hooks/useCaptures';
import { useColorScheme } from './hooks/useColorScheme';
import { StatusBanner } from './states/StatusBanner';
import { SidePanel } from './panel/SidePanel';
import { TopTalkers } from './TopTalkers';
import { RunningCaptures } from './captures/RunningCaptures';
import { SavedCaptures } from './captures/SavedCaptures';
import { isLive } from './captures/targets';
import { endedByItself } from './captures/describe';
import type { CaptureInfo } from '../../shared/capture';
import { useHosts } from './hosts/useHosts';
import { HostList } from './hosts/HostList';
import { HostRegions } from './hosts/HostRegions';

/** The node of the busiest container right now, or null when all is quiet (or no rates). */
export function busiestNode(model: GraphModel, rates: Pick<RatesView, 'sample'>): string | null {
  let best: { id: string; bps: number } | null = null;
  for (const c of rates.sample?.containers ?? []) {
    const bps = c.rxBytesPerSec + c.txBytesPerSec;
    if (bps > 0 && (!best || bps > best.bps)) best = { id: c.id, bps };
  }
  if (!best) return null;
  return model.nodes.find((n) => n.containers.some((c) => c.id === best!.id))?.id ?? null;
}

/**
 * Which captures the running list shows: the live ones, and those this window saw running
 * that ended by themselves (the container went away, a limit, an error) until dismissed.
 */
export function runningList(captures: CaptureInfo[], seenLive: Set<string>, dismissed: Set<string>): CaptureInfo[] {
  return captures.filter((c) => isLive(c) || (seenLive.has(c.id) && endedByItself(c) && !dismissed.has(c.id)));
}

export function App() {
  const { topology, error: topoError, loading, refresh } = useTopology();
  const { status, retrying, retryHelper } = useStatus();
  const rates = useRates();
  const { captures, upsert, remove } = useCaptures();
  const scheme = useColorScheme();
  const remote = useHosts();
  const [showStopped, setShowStopped] = useState(true);
  /** Selection keys (graph/selection.ts): containers by id, so a restart keeps them selected. */
  const [selected, setSelected] = useState<string[]>([]);
  const [focus, setFocus] = useState<FocusRequest | null>(null);
  const [returnFocus, setReturnFocus] = useState(0);
  const [search, setSearch] = useState('');
  const [seenLive, setSeenLive] = useState<Set<string>>(new Set());
  const [dismissed, setDismissed] = useState<Set<string>>(new Set());

  const model = useMemo(() => (topology ? buildGraph(topology, { showStopped }) : null), [topology, showStopped]);
  const chosenNodes = useMemo(() => (model ? selectedNodes(model.nodes, selected) : []), [model, selected]);
  const chosenIds = useMemo(() => chosenNodes.map((n) => n.id), [chosenNodes]);

  const hit = useMemo(() => (model ? searchGraph(model, search) : null), [model, search]);
  const match = hit?.node ?? null;
  useEffect(() => {
    if (match) setFocus((f) => ({ id: match.id, seq: (f?.seq ?? 0) + 1 }));
  }, [match?.id]); // eslint-disable-line react-hooks/exhaustive-deps -- centre once per new match, not per poll
  const busiest = useMemo(() => (model ? busiestNode(model, rates) : null), [model, rates.version]); // eslint-disable-line react-hooks/exhaustive-deps -- per sample
  // The first view opens on the searched container, else the busiest one (once rates are known).
  const [firstTarget, setFirstTarget] = useState<string | null>(null);
  useEffect(() => {
    if (firstTarget === null && (match?.id ?? busiest)) setFirstTarget(match?.id ?? busiest);
  }, [match?.id, busiest, firstTarget]);

  const keyOf = useCallback((id: string) => {
    const n = model?.nodes.find((x) => x.id === id);
    return n ? selectionKey(n) : id;
  }, [model]);
  const onSelect = useCallback(
    (id: string, additive: boolean) => {
      const key = keyOf(id);
      setSelected((cur) => (additive ? (cur.includes(key) ? cur.filter((x) => x !== key) : [...cur, key]) : [key]));
    },
    [keyOf],
  );
  const clear = useCallback(() => setSelected([]), []);
  const closePanel = useCallback(() => {
    setSelected([]);
    setReturnFocus((n) => n + 1);
  }, []);

  const pickContainer = useCallback(
    (containerId: string) => {
      const node = model?.nodes.find((n) => n.containers.some((c) => c.id === containerId));
      if (!node) return;
      setSelected([selectionKey(node)]);
      setFocus((f) => ({ id: node.id, seq: (f?.seq ?? 0) + 1 }));
    },
    [model],
  );

  // Escape closes the panel and gives the keyboard back to the map, on the node last used there.
  const selectedNow = useRef(selected);
  selectedNow.current = selected;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || document.querySelector('dialog[open]')) return;
      if (selectedNow.current.length) setReturnFocus((n) => n + 1);
      setSelected([]);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // Captures this window saw running: if one ends by itself it stays in the running list, saying why.
  useEffect(() => {
    const live = captures.filter(isLive).map((c) => c.id);
    if (live.some((id) => !seenLive.has(id))) setSeenLive((s) => new Set([...s, ...live]));
  }, [captures, seenLive]);
  const upsertSeen = useCallback(
    (c: CaptureInfo) => {
      if (isLive(c)) setSeenLive((s) => (s.has(c.id) ? s : new Set([...s, c.id])));
      upsert(c);
    },
    [upsert],
  );

  const running = runningList(captures, seenLive, dismissed);
  const saved = captures.filter((c) => !isLive(c) && !running.includes(c));
  const containerCount = topology?.containers.length ?? 0;
  const stoppedCount = topology?.containers.filter((c) => c.state !== 'running').length ?? 0;

  return (
    <RatesContext.Provider value={rates}>
      <div className={`vs-app theme-${scheme}`}>
        <header className="vs-header">
          <h1>vethscope</h1>
          <label className="vs-search">
            <span className="vs-sr">Find container</span>
            <input
              type="search"
              placeholder="Find: name, service, IP, network…"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && match) setSelected([selectionKey(match)]);
              }}
            />
          </label>
          {search.trim() && (
            <span className={match ? 'vs-muted vs-match' : 'vs-muted'} role="status">
              {hit ? hit.why : 'No match'}
            </span>
          )}
          <label className="vs-toggle">
            <input type="checkbox" checked={showStopped} onChange={(e) => setShowStopped(e.target.checked)} />
            <span className="vs-nowrap">Show stopped ({stoppedCount})</span>
          </label>
          <span className="vs-muted vs-count" role="status">
            {topology && (
              <>
                <span className="vs-nowrap">{containerCount} containers</span> · <span className="vs-nowrap">{topology.namespaces.length} namespaces</span> ·{' '}
                <span className="vs-nowrap">discovered in {Math.round(topology.elapsedMs)} ms</span>
              </>
            )}
          </span>
        </header>
        <StatusBanner status={status} topology={topology} topologyError={topoError} retrying={retrying} onRetryHelper={() => void retryHelper()} onRetryTopology={refresh} />
        <ReactFlowProvider>
          <main className="vs-main">
            <div className="vs-map">
              {remote.hosts.length > 0 && <span className="vs-map-label vs-muted">local · this machine</span>}
              {loading && !topology && (
                <div className="vs-empty" role="status">
                  Discovering namespaces and containers…
                </div>
              )}
              {!loading && !topology && !topoError && <div className="vs-empty">No topology.</div>}
              {model && (
                <TopologyGraph
                  model={model}
                  selected={chosenIds}
                  highlighted={match?.id ?? null}
                  focus={focus}
                  returnFocus={returnFocus}
                  firstTarget={firstTarget}
                  onSelect={onSelect}
                  onClearSelection={clear}
                  colorMode={scheme}
                />
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
              {model && <Overview nodes={model.nodes.length} colorMode={scheme} />}
              <TopTalkers onPick={pickContainer} />
              <HostList hosts={remote.hosts} onChanged={remote.reload} />
              {chosenNodes.length > 0 ? (
                <SidePanel nodes={chosenNodes} selectionKeys={selected} onClose={closePanel} onCaptureStarted={upsertSeen} />
              ) : selected.length > 0 ? (
                <p className="vs-muted vs-side-hint" role="status">
                  The selected container is not on the map right now (restarting?). It comes back here when it does.
                </p>
              ) : (
                <p className="vs-muted vs-side-hint">Click a container to see its interfaces and capture its traffic. Shift/Ctrl-click to select several.</p>
              )}
            </div>
          </main>
        </ReactFlowProvider>
        <HostRegions hosts={remote.hosts} search={search} showStopped={showStopped} colorMode={scheme} onCaptureStarted={upsertSeen} />
        <div className="vs-bottom">
          <RunningCaptures captures={running} onUpdate={upsertSeen} onDismiss={(id) => setDismissed((d) => new Set([...d, id]))} />
          <SavedCaptures captures={saved} status={status} onDeleted={remove} />
        </div>
      </div>
    </RatesContext.Provider>
  );
}
