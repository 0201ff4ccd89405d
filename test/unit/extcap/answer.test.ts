// Which listing answers which call: the fast entry answers alone when it can, and hands the
// call to the full command (the Backend) when only the Backend can list (a user: root's
// engines, Docker's socket through the helper).
import { describe, expect, it } from 'vitest';
import { answerListingCall, listingFor, type ListingSources } from '../../../electron/front-doors/extcap/answer';
import type { ListedContainer } from '../../../electron/front-doors/extcap/interfaces';

const web: ListedContainer = { id: 'w1', name: 'web-1', engine: 'docker', pod: null, infra: false };
const db: ListedContainer = { id: 'd1', name: 'db-1', engine: 'docker', pod: null, infra: false };

function sources(o: { complete: boolean; cache?: ListedContainer[] | null; backend?: ListedContainer[] | null }) {
  const calls: string[] = [];
  let cache = o.cache ?? null;
  const s: ListingSources = {
    here: async () => (calls.push('here'), { containers: [web], complete: o.complete, warnings: [] }),
    readCache: () => (calls.push('read-cache'), cache),
    writeCache: (c) => (calls.push('write-cache'), (cache = c)),
    backend: o.backend === undefined || o.backend === null ? null : async () => (calls.push('backend'), o.backend!),
    warn: () => undefined,
  };
  return { s, calls, cached: () => cache };
}

describe('listingFor', () => {
  it('root (here is complete): a listing is always fresh, and remembered for the option calls that follow', async () => {
    const { s, calls, cached } = sources({ complete: true, cache: [db] });
    expect(await listingFor('interfaces', s)).toEqual([web]);
    expect(calls).toEqual(['here', 'write-cache']);
    expect(cached()).toEqual([web]);
  });

  it('options come from the cache when there is one (Wireshark asks once per interface)', async () => {
    const { s, calls } = sources({ complete: true, cache: [db] });
    expect(await listingFor('config', s)).toEqual([db]);
    expect(calls).toEqual(['read-cache']);
  });

  it('a reload never uses the cache', async () => {
    const { s, calls } = sources({ complete: true, cache: [db] });
    expect(await listingFor('reload', s)).toEqual([web]);
    expect(calls).not.toContain('read-cache');
  });

  it('a user (here is incomplete): the cache within its life, else the Backend, remembered', async () => {
    const cachedRun = sources({ complete: false, cache: [db] });
    expect(await listingFor('interfaces', cachedRun.s)).toEqual([db]);
    const fresh = sources({ complete: false, backend: [web, db] });
    expect(await listingFor('interfaces', fresh.s)).toEqual([web, db]);
    expect(fresh.calls).toEqual(['here', 'read-cache', 'backend', 'write-cache']);
    expect(fresh.cached()).toEqual([web, db]);
  });

  it('without the Backend (the fast entry), a user with nothing cached gets null: the call goes to the full command', async () => {
    expect(await listingFor('interfaces', sources({ complete: false }).s)).toBeNull();
    expect(await listingFor('reload', sources({ complete: false, cache: [db] }).s)).toBeNull();
  });
});

describe('answerListingCall', () => {
  it('interfaces, options and link types for our interfaces; captures and filter checks need the Backend', async () => {
    const { s } = sources({ complete: true });
    const list = await answerListingCall({ kind: 'interfaces', version: '4.0' }, '0.1.0', s);
    expect(list).toMatchObject({ status: 0, out: expect.stringContaining('interface {value=vethscope-web-1}') });
    expect(await answerListingCall({ kind: 'dlts', iface: 'vethscope-web-1' }, '0.1.0', s)).toEqual({ status: 0, out: 'dlt {number=1}{name=EN10MB}{display=Ethernet}\n' });
    expect(await answerListingCall({ kind: 'config', iface: 'vethscope-web-1', reload: null }, '0.1.0', s)).toMatchObject({ status: 0, out: expect.stringContaining('{value=docker:web-1}{display=web-1 (docker)}{default=true}') });
    expect(await answerListingCall({ kind: 'filter-check', iface: 'vethscope', filter: 'icmp' }, '0.1.0', s)).toBe('needs-backend');
    expect(await answerListingCall({ kind: 'capture', iface: 'vethscope', fifo: '/f', options: { filter: '', container: null, containers: ['a'], interfaces: [], snaplen: null, follow: false } }, '0.1.0', s)).toBe('needs-backend');
  });

  it("another extcap's interface is refused; a stopped container's interface still opens its options", async () => {
    const { s } = sources({ complete: true });
    expect(await answerListingCall({ kind: 'dlts', iface: 'sshdump' }, '0.1.0', s)).toMatchObject({ status: 1, err: expect.stringMatching(/not one of vethscope's/) });
    const gone = await answerListingCall({ kind: 'config', iface: 'vethscope-old', reload: null }, '0.1.0', s);
    expect(gone).toMatchObject({ status: 0, out: expect.stringContaining('{call=--container}') });
    expect((gone as { out: string }).out).not.toContain('{default=true}');
  });
});
