// Per-interface counters for the selected namespace, plus a 5-minute chart for one.
import { useContext, useState } from 'react';
import type { NetInterface } from '../../../shared/topology';
import { RatesContext } from '../graph/context';
import { formatBitRate, formatCount } from '../../../shared/units';
import { RateChart } from './RateChart';
import { printable } from '../../../shared/text';

interface Props {
  netns: number;
  interfaces: NetInterface[];
}

export function InterfaceRates({ netns, interfaces }: Props) {
  const rates = useContext(RatesContext);
  const [chart, setChart] = useState<string | null>(interfaces[0]?.name ?? null);
  if (!rates.sample) return <p className="vs-muted">No live rates (the rate sampler is not reporting).</p>;
  return (
    <div>
      <table className="vs-table vs-rates">
        <thead>
          <tr>
            <th scope="col">Interface</th>
            <th scope="col">rx</th>
            <th scope="col">tx</th>
            <th scope="col">pkt/s</th>
            <th scope="col">err</th>
            <th scope="col">drop</th>
          </tr>
        </thead>
        <tbody>
          {interfaces.map((i) => {
            const r = rates.byIface.get(`${netns}/${i.name}`);
            return (
              <tr key={i.name} className={chart === i.name ? 'is-current' : ''}>
                <th scope="row">
                  <button type="button" className="vs-link" onClick={() => setChart(i.name)} aria-pressed={chart === i.name} aria-label={`Show 5-minute chart for ${printable(i.name)}`}>
                    {printable(i.name)}
                  </button>
                </th>
                <td>{r ? formatBitRate(r.rxBytesPerSec) : '—'}</td>
                <td>{r ? formatBitRate(r.txBytesPerSec) : '—'}</td>
                <td>{r ? formatCount(r.rxPacketsPerSec + r.txPacketsPerSec) : '—'}</td>
                <td>{r ? r.rxErrors + r.txErrors : '—'}</td>
                <td>{r ? r.rxDropped + r.txDropped : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {chart && <RateChart netns={netns} name={chart} />}
    </div>
  );
}
