// The plain facts about one selected node: containers, networks, interfaces and
// the tcpdump command one would type by hand.
import type { GraphNode } from '../graph/model';
import { CopyButton } from '../lib/CopyButton';
import { tcpdumpCommand } from '../lib/format';
import { InterfaceRates } from './InterfaceRates';
import { printable } from '../../../shared/text';

export function NodeDetails({ node }: { node: GraphNode }) {
  const c = node.containers[0] ?? null;
  // The host's own interfaces (its bridges included) need no namespace entering.
  const onHost = node.kind === 'host' || node.kind === 'bridge' || node.namespace?.isHost === true;
  const nsPath = onHost ? undefined : (node.namespace?.paths[0] ?? (node.namespace?.pids[0] ? `/proc/${node.namespace.pids[0]}/ns/net` : undefined));
  return (
    <section className="vs-details" aria-label={`Details of ${node.label}`}>
      {node.containers.map((ct) => (
        <dl key={ct.id} className="vs-dl">
          <dt>Container</dt>
          <dd>
            <strong>{printable(ct.name)}</strong> <span className="vs-muted">{ct.id.slice(0, 12)}</span>
          </dd>
          <dt>Image</dt>
          <dd>{ct.image}</dd>
          <dt>State</dt>
          <dd>
            <span className={`vs-state vs-state-${ct.state}`}>{ct.state}</span>
          </dd>
          {ct.compose && (
            <>
              <dt>Compose</dt>
              <dd>
                {ct.compose.project} / {ct.compose.service}
              </dd>
            </>
          )}
          <dt>Networks</dt>
          <dd>
            {ct.networks.length === 0 && <span className="vs-muted">{ct.networkMode}</span>}
            {ct.networks.map((n) => (
              <div key={n.name}>
                {printable(n.name)}
                {n.ipv4 ? ` · ${n.ipv4}` : ''}
                {n.ipv6 ? ` · ${n.ipv6}` : ''}
                {n.gateway ? <span className="vs-muted"> (gw {n.gateway})</span> : null}
              </div>
            ))}
          </dd>
        </dl>
      ))}
      {node.kind === 'bridge' && (node.networks?.length ?? 0) > 0 && (
        <p>
          Docker network{node.networks!.length > 1 ? 's' : ''} <strong>{node.networks!.map(printable).join(', ')}</strong>
        </p>
      )}
      {node.kind !== 'stopped' && node.netns !== null && (
        <p className="vs-muted">
          Network namespace {node.netns}
          {node.names.length ? ` (${node.names.join(', ')})` : ''}
        </p>
      )}
      {node.interfaces.length > 0 && (
        <>
          <h3>Interfaces</h3>
          <ul className="vs-ifaces">
            {node.interfaces.map((i) => {
              const cmd = tcpdumpCommand(onHost ? null : c, i, nsPath);
              return (
                <li key={i.name}>
                  <div className="vs-iface-head">
                    <strong>{printable(i.name)}</strong> <span className="vs-muted">{i.kind}</span>
                    {i.hostPeer && (
                      <>
                        {' '}
                        ↔ host <code>{printable(i.hostPeer)}</code> <CopyButton text={i.hostPeer} label={`host peer of ${i.name}`} />
                      </>
                    )}
                  </div>
                  {i.addresses.length > 0 && <div className="vs-muted">{i.addresses.join(', ')}</div>}
                  {i.master && <div className="vs-muted">port of bridge {i.master}</div>}
                  {i.parent && <div className="vs-muted">on {printable(i.parent.name)} (namespace {i.parent.netns})</div>}
                  <div className="vs-cmd">
                    <code>{cmd}</code> <CopyButton text={cmd} label={`tcpdump command for ${i.name}`} />
                  </div>
                </li>
              );
            })}
          </ul>
          {node.netns !== null && (
            <>
              <h3>Traffic</h3>
              <InterfaceRates netns={node.netns} interfaces={node.interfaces} />
            </>
          )}
        </>
      )}
    </section>
  );
}
