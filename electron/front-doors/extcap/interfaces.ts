// What Wireshark's interface list and options dialog show: one interface per running
// container, named as vethscope names it (a pod's infra container stands for its pod),
// and one for a capture of several containers chosen in its options. Pure: containers in,
// the extcap's sentences out.
import { CONTAINER_INTERFACE_PREFIX, EXTCAP_ARGS, MULTI_INTERFACE, containerInterfaceName } from '../../../shared/extcap';
import { printable } from '../../../shared/text';
import { byText } from '../../../shared/text';

/** A running container as the listing knows it: enough to name it and to ask the Backend for it. */
export interface ListedContainer {
  id: string;
  name: string;
  engine: string;
  pod: { name: string; namespace: string | null } | null;
  infra: boolean;
}

export interface ExtcapInterface {
  value: string;
  display: string;
  /** null for the multi-container interface. */
  container: ListedContainer | null;
}

/** Wireshark's sentences are `{key=value}` runs: a brace or a control character in a name must not end one. */
export const field = (s: string) => printable(s).replace(/\{/g, '(').replace(/\}/g, ')');

/** What vethscope shows for a container: a pod's infra container stands for its pod (as in capture labels). */
export const shownName = (c: ListedContainer) => (c.infra && c.pod ? c.pod.name : c.name);

const podText = (p: NonNullable<ListedContainer['pod']>) => (p.namespace ? `${p.namespace}/${p.name}` : p.name);

/** What the Backend is asked to capture: ENGINE:NAME finds exactly this engine's container of that name. */
export const targetWord = (c: ListedContainer) => `${c.engine}:${c.name}`;

function describe(c: ListedContainer): string {
  if (c.infra && c.pod) return `pod ${podText(c.pod)} (${c.engine})`;
  return `${c.name} (${c.engine}${c.pod ? `, pod ${podText(c.pod)}` : ''})`;
}


/** Sorted by name; a value two containers would share gets the later one's short id. */
export function extcapInterfaces(containers: ListedContainer[]): ExtcapInterface[] {
  const sorted = [...containers].sort((a, b) => byText(shownName(a), shownName(b)) || byText(a.engine, b.engine) || byText(a.id, b.id));
  const used = new Set<string>([MULTI_INTERFACE]);
  const out: ExtcapInterface[] = [{ value: MULTI_INTERFACE, display: 'vethscope: several containers (choose them in its options)', container: null }];
  for (const c of sorted) {
    let value = containerInterfaceName(shownName(c));
    if (used.has(value)) value = `${value}-${c.id.replace(/[^A-Za-z0-9]/g, '').slice(0, 12)}`;
    used.add(value);
    out.push({ value, display: `vethscope: ${describe(c)}`, container: c });
  }
  return out;
}

export const isOurInterface = (iface: string) => iface === MULTI_INTERFACE || iface.startsWith(CONTAINER_INTERFACE_PREFIX);

export function interfacesOutput(version: string, ifaces: ExtcapInterface[]): string {
  const lines = [`extcap {version=${field(version)}}{display=vethscope: container traffic}{help=https://github.com/vethscope/vethscope#wireshark}`];
  for (const i of ifaces) lines.push(`interface {value=${field(i.value)}}{display=${field(i.display)}}`);
  return `${lines.join('\n')}\n`;
}

/** Every container is captured as Ethernet (a veth, or the container's own interface). */
export const dltsOutput = () => 'dlt {number=1}{name=EN10MB}{display=Ethernet}\n';

/** Interface names (IFNAMSIZ, never starting with '-'), comma-separated; no braces (they end a sentence). */
const INTERFACES_VALIDATION = '^([A-Za-z0-9_.:@+][A-Za-z0-9_.:@+-]*(,[A-Za-z0-9_.:@+][A-Za-z0-9_.:@+-]*)*)?$';

const ARG = { container: 0, interfaces: 1, snaplen: 2, follow: 3 } as const;

const same = (a: ListedContainer, b: ListedContainer | null) => b !== null && a.engine === b.engine && a.id === b.id;

function containerValues(arg: number, containers: ListedContainer[], chosen: ListedContainer | null): string[] {
  const sorted = [...containers].sort((a, b) => byText(shownName(a), shownName(b)));
  return sorted.map((c) => `value {arg=${arg}}{value=${field(targetWord(c))}}{display=${field(describe(c))}}${same(c, chosen) ? '{default=true}' : ''}`);
}

/**
 * An interface's options: its container (a selector Wireshark can reload; the multi-container
 * interface takes a list), which of its interfaces, the snapshot length, follow a restart.
 * A container's own interface offers just its container until Reload asks for every one:
 * Wireshark asks each interface for its options every time it starts, so each answer stays small.
 */
export function configOutput(iface: string, own: ListedContainer | null, containers: ListedContainer[]): string {
  const multi = iface === MULTI_INTERFACE;
  const offered = multi || !own ? containers : [own];
  const lines = multi
    ? [`arg {number=${ARG.container}}{call=--${EXTCAP_ARGS.containers}}{display=Containers}{type=multicheck}{required=true}{tooltip=The containers to capture together, into one file with an interface per container interface}`]
    : [`arg {number=${ARG.container}}{call=--${EXTCAP_ARGS.container}}{display=Container}{type=selector}{reload=true}{placeholder=Reload the containers}{tooltip=The container to capture (this interface's own by default)}`];
  lines.push(...containerValues(ARG.container, offered, own));
  lines.push(
    `arg {number=${ARG.interfaces}}{call=--${EXTCAP_ARGS.interfaces}}{display=Interfaces}{type=string}{validation=${INTERFACES_VALIDATION}}{tooltip=Only these interfaces of each container, comma-separated (default: every one but lo)}`,
    `arg {number=${ARG.snaplen}}{call=--${EXTCAP_ARGS.snaplen}}{display=Snapshot length}{type=integer}{range=64,262144}{default=262144}{tooltip=Bytes kept of each packet}`,
    `arg {number=${ARG.follow}}{call=--${EXTCAP_ARGS.follow}}{display=Follow a restart}{type=boolflag}{default=false}{tooltip=Re-attach when a container restarts (the gap is recorded)}`,
  );
  return `${lines.join('\n')}\n`;
}

/** `--extcap-reload-option container`: the selector's values again, from a fresh listing. */
export function reloadOutput(own: ListedContainer | null, option: string, containers: ListedContainer[]): string {
  if (option !== EXTCAP_ARGS.container && option !== EXTCAP_ARGS.containers) return '';
  return `${containerValues(ARG.container, containers, own).join('\n')}\n`;
}
