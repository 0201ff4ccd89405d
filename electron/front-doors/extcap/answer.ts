// The listing calls (interfaces, link types, options, an option's values again), answered
// from the cheapest listing that is right: the entry answers them without the Backend when
// it can, and hands the call to the full command (which has one) when it cannot.
import type { ExtcapCall } from './args';
import { configOutput, dltsOutput, extcapInterfaces, interfacesOutput, isOurInterface, reloadOutput, type ListedContainer } from './interfaces';
import type { HostSnapshot, Listing } from './listing';

export type Purpose = 'interfaces' | 'config' | 'reload';

export interface ListingSources {
  here(): Promise<Listing>;
  readCache(): ListedContainer[] | null;
  /** Remember a listing (and what the host's files said, for the next listing). */
  writeCache(containers: ListedContainer[], host?: HostSnapshot): void;
  /** The Backend's listing (the full command only); null: hand the call to the full command. */
  backend: (() => Promise<ListedContainer[]>) | null;
  warn(message: string): void;
}

/**
 * The listing for one call. Options follow a listing within moments: the cache first. A
 * listing or a reload must be fresh: here when here is complete, else the Backend (a
 * user's listing within the cache's life comes from it: a user's Backend listing is slow).
 */
export async function listingFor(purpose: Purpose, s: ListingSources): Promise<ListedContainer[] | null> {
  if (purpose === 'config') {
    const cached = s.readCache();
    if (cached) return cached;
  }
  const here = await s.here();
  if (here.complete) {
    s.writeCache(here.containers, here.host);
    for (const w of here.warnings) s.warn(w);
    return here.containers;
  }
  if (purpose === 'interfaces') {
    const cached = s.readCache();
    if (cached) return cached;
  }
  if (!s.backend) return null;
  const containers = await s.backend();
  s.writeCache(containers);
  return containers;
}

export type Answer = { status: number; out: string; err?: string } | 'needs-backend';

/** The answer to a listing call, or 'needs-backend' (captures, filter checks, listings only the Backend can make). */
export async function answerListingCall(call: ExtcapCall, version: string, s: ListingSources): Promise<Answer> {
  switch (call.kind) {
    case 'usage':
      return { status: 2, out: '', err: `vethscope extcap: ${call.message}\n` };
    case 'dlts':
      return isOurInterface(call.iface) ? { status: 0, out: dltsOutput() } : unknown(call.iface);
    case 'interfaces': {
      const containers = await listingFor('interfaces', s);
      return containers ? { status: 0, out: interfacesOutput(version, extcapInterfaces(containers)) } : 'needs-backend';
    }
    case 'config': {
      if (!isOurInterface(call.iface)) return unknown(call.iface);
      const containers = await listingFor(call.reload ? 'reload' : 'config', s);
      if (!containers) return 'needs-backend';
      // A container that stopped since the listing has none: its options still open, with every container to choose from.
      const own = extcapInterfaces(containers).find((i) => i.value === call.iface)?.container ?? null;
      if (call.reload) return { status: 0, out: reloadOutput(own, call.reload, containers) };
      return { status: 0, out: configOutput(call.iface, own, containers) };
    }
    default:
      return 'needs-backend';
  }
}

const unknown = (iface: string): Answer => ({ status: 1, out: '', err: `vethscope extcap: ${iface} is not one of vethscope's interfaces\n` });
