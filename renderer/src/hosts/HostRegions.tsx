// Each remote host its own region of the map: its name and status as the heading, its own
// graph (the same model, layout and nodes as the local map) and its own rates. What is
// selected, on one host or several (Shift/Ctrl-click adds), shares one panel whose capture
// form names each node's host in its target: one capture, one file, across hosts.
import { useMemo, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import type { CaptureInfo } from '../../../shared/capture';
import type { HostTopology } from '../../../shared/api';
import { buildGraph, type GraphModel, type GraphNode } from '../graph/model';
import { TopologyGraph } from '../graph/TopologyGraph';
import { RatesContext } from '../graph/context';
import { selectedNodes, selectionKey } from '../graph/selection';
import { EMPTY_RATES, nextRatesView } from '../hooks/useRates';
import { SidePanel } from '../panel/SidePanel';
import { hostLine, searchHosts, toggleSelection, type HostSelection } from './hostsView';
import './hosts.css';

interface Props {
  hosts: HostTopology[];
  search: string;
  showStopped: boolean;
  colorMode: 'light' | 'dark';
  onCaptureStarted: (c: CaptureInfo) => void;
}

export function HostRegions({ hosts, search, showStopped, colorMode, onCaptureStarted }: Props) {
  const models = useMemo(
    () => hosts.flatMap((h) => (h.topology ? [{ host: h.host.id, model: buildGraph(h.topology, { showStopped }) }] : [])),
    [hosts, showStopped],
  );
  const hits = useMemo(() => searchHosts(models, search), [models, search]);
  const [selected, setSelected] = useState<HostSelection[]>([]);
  const chosen = useMemo(() => {
    const hostOf = new Map<GraphNode, string>();
    const nodes = models.flatMap((m) => {
      const mine = selectedNodes(m.model.nodes, selected.filter((s) => s.host === m.host).map((s) => s.key));
      for (const n of mine) hostOf.set(n, m.host);
      return mine;
    });
    return { nodes, hostOf };
  }, [models, selected]);
  if (!hosts.length) return null;
  const onSelect = (host: string, model: GraphModel) => (nodeId: string, additive: boolean) => {
    const n = model.nodes.find((x) => x.id === nodeId);
    setSelected((cur) => toggleSelection(cur, { host, key: n ? selectionKey(n) : nodeId }, additive));
  };
  return (
    <div className="vs-regions-wrap">
      <div className="vs-regions">
        {search.trim() && hits.length > 0 && (
          <p className="vs-muted vs-region-hits" role="status">
            On other hosts: {hits.map((h) => h.why).join(' · ')}
          </p>
        )}
        {hosts.map((h) => {
          const m = models.find((x) => x.host === h.host.id);
          return (
            <HostRegion
              key={h.host.id}
              host={h}
              model={m?.model ?? null}
              selected={chosen.nodes.filter((n) => chosen.hostOf.get(n) === h.host.id).map((n) => n.id)}
              match={hits.find((x) => x.host === h.host.id)?.node.id ?? null}
              colorMode={colorMode}
              onSelect={m ? onSelect(h.host.id, m.model) : () => undefined}
              onClear={() => setSelected((cur) => cur.filter((s) => s.host !== h.host.id))}
            />
          );
        })}
      </div>
      {chosen.nodes.length > 0 && (
        <div className="vs-region-panel">
          <SidePanel nodes={chosen.nodes} selectionKeys={selected.map((s) => `${s.host}|${s.key}`)} onClose={() => setSelected([])} onCaptureStarted={onCaptureStarted} hostOf={(n) => chosen.hostOf.get(n)} />
        </div>
      )}
    </div>
  );
}

interface RegionProps {
  host: HostTopology;
  model: GraphModel | null;
  selected: string[];
  match: string | null;
  colorMode: 'light' | 'dark';
  onSelect: (nodeId: string, additive: boolean) => void;
  onClear: () => void;
}

function HostRegion({ host, model, selected, match, colorMode, onSelect, onClear }: RegionProps) {
  const rates = useMemo(() => nextRatesView(EMPTY_RATES, host.rates), [host.rates]);
  const id = host.host.id;
  return (
    <section className={`vs-region vs-region-${host.host.state}`} aria-label={`Host ${id}`} data-testid={`region-${id}`}>
      <h2 className="vs-region-head">{hostLine(host.host)}</h2>
      <div className="vs-region-map" data-pane={id}>
        {model ? (
          <RatesContext.Provider value={rates}>
            <ReactFlowProvider>
              <TopologyGraph model={model} selected={selected} highlighted={match} focus={match ? { id: match, seq: 1 } : null} returnFocus={0} firstTarget={match} onSelect={onSelect} onClearSelection={onClear} colorMode={colorMode} paneSelector={`[data-pane="${id}"]`} />
            </ReactFlowProvider>
          </RatesContext.Provider>
        ) : (
          <div className="vs-empty" role="status">
            {host.host.state === 'connecting' ? `Connecting to ${id} over SSH…` : `No map of ${id} yet.`}
          </div>
        )}
      </div>
    </section>
  );
}
