// A capture's decoded packets: live (the last MAX_PACKET_ROWS, following the newest
// until the user scrolls up) or finished (the file's first packets). Times are seconds
// since the capture's first packet, as Wireshark shows them; a capture of several
// interfaces gets an Interface column, so the same packet seen on two veths is two
// rows that say where.
import { useLayoutEffect, useRef, useState } from 'react';
import type { CaptureInfo, PacketSummary } from '../../../shared/capture';
import { SAVED_PACKET_ROWS, timeOrigin, usePackets } from '../hooks/usePackets';
import { ErrorText } from '../lib/ErrorText';
import { printable } from '../../../shared/text';
import { shortIface } from './describe';

/** What the list holds of the capture, in words. */
export function packetCountText(rows: number, total: number, live: boolean): string {
  const n = (x: number) => x.toLocaleString('en-US');
  if (live) return total > rows ? `Showing the last ${n(rows)} of ${n(total)} packets (the file has them all)` : `${n(total)} packets`;
  if (total > rows) return `Showing the first ${n(rows)} of ${n(total)} packets: open the file in Wireshark for the rest`;
  if (total === 0 && rows >= SAVED_PACKET_ROWS) return `Showing the first ${n(rows)} packets of the file`;
  return `${n(rows)} packets`;
}

/** An Interface column when the capture has more than one interface (merged targets, a re-attached one). */
export const needsIfaceColumn = (c: Pick<CaptureInfo, 'interfaces'>, rows: PacketSummary[]) =>
  new Set(c.interfaces.map((i) => shortIface(i.label))).size > 1 || new Set(rows.map((p) => shortIface(p.iface))).size > 1;

/** Within this many pixels of the bottom counts as "at the bottom" (following). */
const BOTTOM_SLACK = 8;

export function PacketList({ capture, live }: { capture: CaptureInfo; live: boolean }) {
  const { packets, error } = usePackets(capture.id, live);
  // The capture knows its earliest packet even when the live list never saw it (above ~400 packets/s).
  const t0 = capture.firstPacketTime ?? timeOrigin(capture.id, capture.startedAt);
  const ifaceColumn = needsIfaceColumn(capture, packets);
  const box = useRef<HTMLDivElement>(null);
  // Follow the newest packet until the user scrolls up; scrolling back to the bottom follows again.
  const [follow, setFollow] = useState(true);
  useLayoutEffect(() => {
    const el = box.current;
    if (live && follow && el) el.scrollTop = el.scrollHeight;
  }, [packets, follow, live]);
  const onScroll = () => {
    const el = box.current;
    if (el) setFollow(el.scrollHeight - el.scrollTop - el.clientHeight <= BOTTOM_SLACK);
  };
  const total = Math.max(capture.packets, live ? 0 : packets.length);
  const cols = ifaceColumn ? 8 : 7;
  return (
    <div className="vs-packets-wrap">
      <div className="vs-packets-bar">
        <span className="vs-muted" role="status" data-testid="packet-count">
          {packetCountText(packets.length, total, live)}
        </span>
        {live && !follow && packets.length > 0 && (
          <button type="button" className="vs-small" onClick={() => setFollow(true)}>
            ↓ Newest
          </button>
        )}
      </div>
      <div ref={box} className="vs-packets" role="region" aria-label="Packets" tabIndex={0} onScroll={onScroll} data-following={live && follow ? 'yes' : 'no'}>
        <ErrorText error={error} />
        <table className="vs-table">
          <thead>
            <tr>
              <th scope="col">No</th>
              <th scope="col" title="Seconds since the capture's first packet">
                Time
              </th>
              {ifaceColumn && <th scope="col">Interface</th>}
              <th scope="col">Source</th>
              <th scope="col">Destination</th>
              <th scope="col">Protocol</th>
              <th scope="col">Length</th>
              <th scope="col">Info</th>
            </tr>
          </thead>
          <tbody>
            {packets.length === 0 && (
              <tr>
                <td colSpan={cols} className="vs-muted">
                  {live ? 'Waiting for packets…' : 'No packets.'}
                </td>
              </tr>
            )}
            {packets.map((p) => (
              <tr key={p.no}>
                <td>{p.no}</td>
                <td>{(p.time - t0).toFixed(6)}</td>
                {ifaceColumn && <td title={printable(p.iface)}>{printable(shortIface(p.iface))}</td>}
                <td>{printable(p.src)}</td>
                <td>{printable(p.dst)}</td>
                <td>{p.protocol}</td>
                <td>{p.length}</td>
                <td className="vs-info">{printable(p.info)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
