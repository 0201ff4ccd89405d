// Start a capture on the selected node(s): one request, several targets, one merged file.
import { useMemo, useState, type FormEvent } from 'react';
import type { CaptureInfo, CaptureRequest, CaptureTarget } from '../../../shared/capture';
import type { ErrorInfo } from '../../../shared/result';
import type { GraphNode } from '../graph/model';
import { getApi } from '../api';
import { ErrorText } from '../lib/ErrorText';
import { useFilterValidation } from './useFilterValidation';
import { printable } from '../../../shared/text';
import { selectionKey } from '../graph/selection';

export interface Choice {
  /** The container (or node) and the interface: stable while a container restarts. */
  key: string;
  label: string;
  iface: string;
  /** Checked unless the user unchecks it (lo is offered unchecked). */
  defaultOn: boolean;
}

const choiceKey = (n: GraphNode, iface: string) => `${selectionKey(n)}|${iface}`;

/**
 * The interfaces a node offers for capture: what the map shows, and for a container also
 * its lo, unchecked (Docker's embedded DNS server answers the container's lookups there).
 */
export function choicesFor(nodes: GraphNode[]): Choice[] {
  const out: Choice[] = [];
  for (const n of nodes) {
    const owner = printable(n.containers[0]?.name ?? (n.kind === 'bridge' ? 'host' : n.names[0] ?? (n.kind === 'host' ? 'host' : `netns ${n.netns}`)));
    for (const i of n.interfaces) out.push({ key: choiceKey(n, i.name), label: `${owner} / ${printable(i.name)}`, iface: i.name, defaultOn: true });
    const lo = n.kind === 'netns' && n.containers.length ? n.namespace?.interfaces.find((i) => i.kind === 'loopback') : undefined;
    if (lo && !n.interfaces.includes(lo)) out.push({ key: choiceKey(n, lo.name), label: `${owner} / ${printable(lo.name)} (DNS lookups)`, iface: lo.name, defaultOn: false });
  }
  return out;
}

/** Turn chosen interfaces into capture targets: one per container, one per bare interface. */
export function targetsFor(nodes: GraphNode[], chosen: Set<string>): CaptureTarget[] {
  const targets: CaptureTarget[] = [];
  for (const n of nodes) {
    const offered = [...n.interfaces.map((i) => i.name), ...(n.namespace?.interfaces.filter((i) => i.kind === 'loopback').map((i) => i.name) ?? [])];
    const ifs = [...new Set(offered)].filter((name) => chosen.has(choiceKey(n, name)));
    if (!ifs.length) continue;
    if (n.kind === 'netns' && n.containers.length) {
      // Containers sharing a namespace share interfaces: capture through the first one.
      targets.push({ type: 'container', container: n.containers[0]!.name, interfaces: ifs });
    } else if (n.kind === 'host' || n.kind === 'bridge') {
      for (const iface of ifs) targets.push({ type: 'host', iface });
    } else if (n.kind === 'netns') {
      for (const iface of ifs) targets.push({ type: 'netns', netns: n.names[0] ?? String(n.netns), iface });
    }
  }
  return targets;
}

const num = (s: string) => (s.trim() === '' ? undefined : Number(s));

/** `hostOf`: the remote host a node is on (renderer/src/hosts/), named in its targets; none for this machine's. */
export function CaptureForm({ nodes, onStarted, hostOf }: { nodes: GraphNode[]; onStarted: (c: CaptureInfo) => void; hostOf?: (n: GraphNode) => string | undefined }) {
  const choices = useMemo(() => choicesFor(nodes), [nodes]);
  /** Choices the user flipped from their default. */
  const [flipped, setFlipped] = useState<Set<string>>(new Set());
  const [followChoice, setFollow] = useState<boolean | null>(null);
  const [filter, setFilter] = useState('');
  const [duration, setDuration] = useState('');
  const [count, setCount] = useState('');
  const [maxMb, setMaxMb] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const fstate = useFilterValidation(filter);
  const isOn = (c: Choice) => c.defaultOn !== flipped.has(c.key);
  const chosen = new Set(choices.filter(isOn).map((c) => c.key));
  const targets = hostOf ? nodes.flatMap((n) => targetsFor([n], chosen).map((t) => (hostOf(n) ? { ...t, host: hostOf(n) } : t))) : targetsFor(nodes, chosen);
  const stoppedOnly = nodes.every((n) => n.kind === 'stopped');
  // Follow re-attaches a restarting container: on by default whenever a container is captured.
  const followable = targets.some((t) => t.type === 'container');
  const follow = followable && (followChoice ?? true);
  const dnsOffered = choices.some((c) => !c.defaultOn);

  const stopErr = [duration, count, maxMb].some((v) => v.trim() !== '' && !(Number(v) > 0)) ? 'Stop conditions must be positive numbers.' : null;
  const canStart = !busy && targets.length > 0 && fstate.kind !== 'invalid' && fstate.kind !== 'checking' && !stopErr;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!canStart) return;
    setBusy(true);
    setError(null);
    const req: CaptureRequest = { targets, format: 'pcapng', follow };
    if (filter.trim()) req.filter = filter.trim();
    const stop = { durationSec: num(duration), packetCount: num(count), maxBytes: maxMb.trim() ? Math.round(Number(maxMb) * 1e6) : undefined };
    if (stop.durationSec || stop.packetCount || stop.maxBytes) req.stop = stop;
    const r = await getApi().call('startCapture', req);
    setBusy(false);
    if (r.ok) onStarted(r.result);
    else setError(r.error);
  };

  if (stoppedOnly) return <p className="vs-muted">Start the container to capture its traffic.</p>;

  return (
    <form className="vs-capture-form" onSubmit={(e) => void submit(e)} aria-label="Start capture">
      <fieldset>
        <legend>Interfaces</legend>
        {choices.length === 0 && <p className="vs-muted">No capturable interfaces.</p>}
        {choices.map((c) => (
          <label key={c.key} className="vs-check">
            <input
              type="checkbox"
              checked={isOn(c)}
              onChange={() => {
                const next = new Set(flipped);
                if (next.has(c.key)) next.delete(c.key);
                else next.add(c.key);
                setFlipped(next);
              }}
            />
            {c.label}
          </label>
        ))}
        {dnsOffered && (
          <p className="vs-hint vs-small-text" id="vs-dns-hint">
            DNS: Docker's embedded resolver (127.0.0.11) answers a container's lookups over its lo, so tick lo to capture them.
          </p>
        )}
      </fieldset>
      {followable && (
        <label className="vs-check" title="When the container restarts, keep capturing its new interface in the same file; the gap is recorded">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
          Follow the container across restarts
        </label>
      )}
      <label className="vs-field">
        <span>Filter (BPF)</span>
        <input
          type="text"
          value={filter}
          placeholder="e.g. tcp port 80 or icmp"
          onChange={(e) => setFilter(e.target.value)}
          aria-invalid={fstate.kind === 'invalid'}
          aria-describedby="vs-filter-state"
          spellCheck={false}
        />
      </label>
      <div id="vs-filter-state" className="vs-filter-state" aria-live="polite">
        {fstate.kind === 'checking' && <span className="vs-muted">Checking filter…</span>}
        {fstate.kind === 'valid' && <span className="vs-ok">Filter is valid</span>}
        {fstate.kind === 'invalid' && <ErrorText error={fstate.error} />}
      </div>
      <fieldset className="vs-stop">
        <legend>Stop after (optional)</legend>
        <label className="vs-field-inline">
          <span>Seconds</span>
          <input type="number" min="1" inputMode="numeric" value={duration} onChange={(e) => setDuration(e.target.value)} />
        </label>
        <label className="vs-field-inline">
          <span>Packets</span>
          <input type="number" min="1" inputMode="numeric" value={count} onChange={(e) => setCount(e.target.value)} />
        </label>
        <label className="vs-field-inline">
          <span>Size (MB)</span>
          <input type="number" min="0.1" step="0.1" inputMode="decimal" value={maxMb} onChange={(e) => setMaxMb(e.target.value)} />
        </label>
      </fieldset>
      {stopErr && <p className="vs-error">{stopErr}</p>}
      <button type="submit" className="vs-primary" disabled={!canStart}>
        {busy ? 'Starting…' : targets.length > 1 ? `Start capture (${targets.length} targets, one file)` : 'Start capture'}
      </button>
      <ErrorText error={error} />
    </form>
  );
}
