// What Wireshark asks the extcap, parsed from its command line. Every call is one short
// process: list interfaces, an interface's link types or options (or one option's values
// again), check a capture filter, or capture into a FIFO. Wireshark may add arguments a
// later version knows: unknown ones are ignored, never fatal.
import { parseArgs } from 'node:util';
import { EXTCAP_ARGS } from '../../../shared/extcap';

export type ExtcapCall =
  | { kind: 'interfaces'; version: string | null }
  | { kind: 'dlts'; iface: string }
  | { kind: 'config'; iface: string; reload: string | null }
  | { kind: 'filter-check'; iface: string; filter: string }
  | { kind: 'capture'; iface: string; fifo: string; options: CaptureOptions }
  | { kind: 'usage'; message: string };

export interface CaptureOptions {
  filter: string;
  container: string | null;
  containers: string[];
  interfaces: string[];
  snaplen: number | null;
  follow: boolean;
}

const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

export function parseExtcapArgs(argv: string[]): ExtcapCall {
  const { values } = parseArgs({
    args: argv,
    strict: false,
    allowPositionals: true,
    options: {
      'extcap-interfaces': { type: 'boolean' },
      'extcap-version': { type: 'string' },
      'extcap-interface': { type: 'string' },
      'extcap-dlts': { type: 'boolean' },
      'extcap-config': { type: 'boolean' },
      'extcap-reload-option': { type: 'string' },
      'extcap-capture-filter': { type: 'string' },
      capture: { type: 'boolean' },
      fifo: { type: 'string' },
      [EXTCAP_ARGS.container]: { type: 'string' },
      [EXTCAP_ARGS.containers]: { type: 'string' },
      [EXTCAP_ARGS.interfaces]: { type: 'string' },
      [EXTCAP_ARGS.snaplen]: { type: 'string' },
      // A boolflag: Wireshark passes `--follow` alone when it is checked.
      [EXTCAP_ARGS.follow]: { type: 'boolean' },
    },
  });
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  if (values['extcap-interfaces']) return { kind: 'interfaces', version: str('extcap-version') ?? null };
  const iface = str('extcap-interface');
  if (!iface) return { kind: 'usage', message: 'name the interface: --extcap-interface IFACE (with --extcap-dlts, --extcap-config or --capture --fifo PATH)' };
  if (values['extcap-dlts']) return { kind: 'dlts', iface };
  if (values['extcap-config']) return { kind: 'config', iface, reload: str('extcap-reload-option') ?? null };
  const filter = str('extcap-capture-filter') ?? '';
  if (!values.capture) {
    if (str('extcap-capture-filter') !== undefined) return { kind: 'filter-check', iface, filter };
    return { kind: 'usage', message: `${iface}: nothing asked (--extcap-dlts, --extcap-config, --extcap-capture-filter F or --capture --fifo PATH)` };
  }
  const fifo = str('fifo');
  if (!fifo) return { kind: 'usage', message: '--capture needs --fifo PATH' };
  const snap = str(EXTCAP_ARGS.snaplen);
  const snaplen = snap === undefined || snap === '' ? null : Number(snap);
  if (snaplen !== null && !(Number.isInteger(snaplen) && snaplen >= 64 && snaplen <= 262144)) return { kind: 'usage', message: `--snaplen wants a whole number from 64 to 262144, not "${snap}"` };
  return {
    kind: 'capture',
    iface,
    fifo,
    options: {
      filter: filter.trim(),
      container: str(EXTCAP_ARGS.container) || null,
      containers: list(str(EXTCAP_ARGS.containers)),
      interfaces: list(str(EXTCAP_ARGS.interfaces)),
      snaplen,
      follow: values[EXTCAP_ARGS.follow] === true,
    },
  };
}
