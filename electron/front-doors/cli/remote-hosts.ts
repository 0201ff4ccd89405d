// `vethscope --host ssh://[user@]host[:port] ... topology|veth|capture|top|serve`: the same
// commands on remote Docker hosts (issue 15). The hosts named are the ones shown; `--host
// local` adds this machine. A host that cannot be reached is reported and the others shown.
import type { HostTopology } from '../../../shared/api';
import type { CaptureRequest, CaptureTarget } from '../../../shared/capture';
import type { RatesSample } from '../../../shared/rates';
import { LOCAL_HOST, type Topology } from '../../../shared/topology';
import { printable } from '../../../shared/text';
import type { Backend } from '../../backend/backend';
import { CliExit, EXIT_USAGE, type CliIo } from './io';
import { jsonLine, renderTable } from './top-format';
import { renderTree } from './tree';

import { HOST_USAGE } from './usage';
export { HOST_USAGE };

/** Leading `--host X` / `--host=X` words, before the command; the rest untouched. */
export function takeHostOptions(argv: string[]): { hosts: string[]; rest: string[] } {
  const hosts: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--host') {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('-')) throw new CliExit(EXIT_USAGE, `vethscope: --host wants ssh://[user@]host[:port]\n${HOST_USAGE}`);
      hosts.push(v);
      i++;
    } else if (a.startsWith('--host=')) hosts.push(a.slice('--host='.length));
    else break;
  }
  return { hosts, rest: argv.slice(i) };
}

/** The ids the backend knows the named hosts by (each added when the backend was made). */
export async function hostIds(backend: Backend, named: string[]): Promise<string[]> {
  const listed = await backend.call('listHosts', {});
  if (!listed.ok) throw new CliExit(1, listed.error.message);
  return named.map((n) => {
    if (n === LOCAL_HOST) return LOCAL_HOST;
    const bare = n.replace(/^ssh:\/\//, '').replace(/\/$/, '').replace(/:22$/, '');
    return listed.result.find((h) => h.id === bare || h.url === n)?.id ?? bare;
  });
}

const remoteOnly = (ids: string[]) => ids.filter((id) => id !== LOCAL_HOST);

async function maps(backend: Backend, ids: string[]): Promise<Array<{ id: string; topology: Topology | null; line: string; rates: RatesSample | null }>> {
  const remote = await backend.call('getHostTopologies', { refresh: true });
  if (!remote.ok) throw new CliExit(1, remote.error.message);
  const byId = new Map<string, HostTopology>(remote.result.map((h) => [h.host.id, h]));
  return Promise.all(
    ids.map(async (id) => {
      if (id === LOCAL_HOST) {
        const t = await backend.call('getTopology', {});
        const r = await backend.call('getRates', {});
        return { id, topology: t.ok ? t.result : null, line: t.ok ? 'host local (this machine)' : `host local: ${t.error.message}`, rates: r.ok ? r.result : null };
      }
      const h = byId.get(id);
      if (!h) return { id, topology: null, line: `host ${printable(id)}: not known`, rates: null };
      const s = h.host;
      const line = s.state === 'reachable' ? `host ${printable(s.id)} (${printable(s.url)}${s.remoteHostname ? `, hostname ${s.remoteHostname}` : ''}, ${s.latencyMs} ms)` : `host ${printable(s.id)}: ${s.state}: ${printable(s.lastError?.message ?? 'no answer yet')}`;
      return { id, topology: h.topology, line, rates: h.rates };
    }),
  );
}

/** `topology` on the named hosts: each host's tree under its own heading (JSON: an array of {host, topology}); 1 when one is unreachable. */
export async function hostTopologyCommand(backend: Backend, named: string[], json: boolean, io: CliIo): Promise<number> {
  const all = await maps(backend, await hostIds(backend, named));
  if (json) io.out(JSON.stringify(all.map((m) => ({ host: m.id, topology: m.topology })), null, 2));
  else io.out(all.map((m) => `${m.line}\n${m.topology ? renderTree(m.topology) : ''}`).join('\n'));
  return all.every((m) => m.topology) ? 0 : 1;
}

/** NAME@HOST, or NAME found on exactly one of the named hosts. */
async function locate(backend: Backend, ids: string[], word: string): Promise<{ host: string; name: string }> {
  const at = word.lastIndexOf('@');
  if (at > 0) {
    const host = word.slice(at + 1);
    const known = await hostIds(backend, [host]);
    return { host: known[0]!, name: word.slice(0, at) };
  }
  const found = await backend.call('findOnHosts', { query: word, hosts: ids });
  if (!found.ok) throw new CliExit(found.error.code === 'NOT_FOUND' ? EXIT_USAGE : 1, found.error.message);
  const hosts = [...new Set(found.result.map((f) => f.host))];
  if (hosts.length > 1) throw new CliExit(EXIT_USAGE, `"${printable(word)}" is on ${hosts.join(' and ')}: name one, e.g. ${printable(word)}@${hosts[0]}`);
  return { host: hosts[0]!, name: word };
}

/** `veth CONTAINER` on the named hosts: `HOST IFACE` per host-side interface. */
export async function hostVethCommand(backend: Backend, named: string[], query: string, io: CliIo): Promise<number> {
  const ids = await hostIds(backend, named);
  const { host, name } = await locate(backend, ids, query);
  const found = await backend.call('findOnHosts', { query: name, hosts: [host] });
  if (!found.ok) throw new CliExit(found.error.code === 'NOT_FOUND' ? EXIT_USAGE : 1, `veth: ${found.error.message}`);
  if (found.result.length > 1) throw new CliExit(EXIT_USAGE, `veth: "${printable(name)}" matches ${found.result.map((f) => f.container.name).join(', ')} on ${host}`);
  const c = found.result[0]!.container;
  const peers = c.interfaces.filter((i) => i.hostPeer).map((i) => `${host} ${i.hostPeer}`);
  if (!peers.length) throw new CliExit(1, `veth: ${printable(c.name)} on ${host} has no interface with a host-side peer`);
  io.out(peers.map(printable).join('\n'));
  return 0;
}

/** Every target of a capture placed on its host: NAME@HOST, host:IFACE@HOST, or found on the named hosts. */
export async function placeTargets(backend: Backend, named: string[], req: CaptureRequest): Promise<CaptureRequest> {
  const ids = await hostIds(backend, named);
  const targets: CaptureTarget[] = [];
  for (const t of req.targets) {
    if (t.type === 'container') {
      const { host, name } = await locate(backend, ids, t.container);
      targets.push({ ...t, container: name, ...(host === LOCAL_HOST ? {} : { host }) });
    } else {
      const word = t.iface;
      const at = word.lastIndexOf('@');
      const host = at > 0 ? (await hostIds(backend, [word.slice(at + 1)]))[0]! : remoteOnly(ids).length === 1 && !ids.includes(LOCAL_HOST) ? remoteOnly(ids)[0]! : null;
      if (host === null) throw new CliExit(EXIT_USAGE, `capture: say which host: ${t.type}:...${printable(word)}@HOST`);
      const iface = at > 0 ? word.slice(0, at) : word;
      targets.push({ ...t, iface, ...(host === LOCAL_HOST ? {} : { host }) });
    }
  }
  return { ...req, targets };
}

/** `top` on the named hosts: one table (or JSON line) per interval, containers named HOST/NAME, sampled in the discovery round trips. */
export async function hostTopCommand(backend: Backend, named: string[], args: { interval: number; samples: number | null; json: boolean }, io: CliIo, signal?: AbortSignal): Promise<number> {
  const ids = await hostIds(backend, named);
  let shown = 0;
  const stop = new Promise<void>((r) => {
    signal?.addEventListener('abort', () => r(), { once: true });
    process.once('SIGINT', () => r());
  });
  for (;;) {
    const all = await maps(backend, ids);
    const withRates = all.filter((m) => m.rates);
    if (withRates.length) {
      const sample: RatesSample = {
        time: Math.max(...withRates.map((m) => m.rates!.time)),
        intervalSec: args.interval,
        interfaces: [],
        containers: withRates.flatMap((m) => m.rates!.containers.map((c) => ({ ...c, name: `${m.id}/${c.name}` }))),
      };
      io.out(args.json ? jsonLine(sample) : renderTable(sample));
      for (const m of all.filter((x) => !x.topology)) io.err(m.line);
      if (args.samples !== null && ++shown >= args.samples) return 0;
    }
    const next = await Promise.race([stop.then(() => 'stop'), new Promise((r) => setTimeout(() => r('tick'), args.interval * 1000))]);
    if (next === 'stop') return 0;
  }
}
