// `vethscope extcap ...`: the extcap with the Backend at hand. The fast entry (entry.ts)
// answers the listing calls it can answer alone and hands everything else here, in the same
// process (Wireshark signals that pid): captures, capture filter checks, a user's listing
// (only the Backend reaches root's engines and Docker's socket, through the helper), and
// `vethscope extcap install`.
import { createBackend } from '../../backend/create-backend';
import type { Backend } from '../../backend/backend';
import { vethscopeVersion } from '../../util/package-root';
import { answerListingCall } from './answer';
import { parseExtcapArgs } from './args';
import { extcapCapture } from './capture';
import { EXTCAP_INSTALL_USAGE, extcapInstallCommand } from './install';
import { fromTopology, listHere, readCache, writeCache } from './listing';
import type { ListedContainer } from './interfaces';

import { EXTCAP_USAGE } from './usage';
export { EXTCAP_USAGE };

export interface ExtcapIo {
  out(text: string): void;
  err(text: string): void;
}

async function backendListing(backend: Backend): Promise<ListedContainer[]> {
  const t = await backend.call('getTopology', {});
  if (!t.ok) throw new Error(`${t.error.message} [${t.error.code}]`);
  return fromTopology(t.result.containers);
}

export async function extcapCommand(args: string[], io: ExtcapIo): Promise<number> {
  if (args[0] === 'install') return extcapInstallCommand(args.slice(1), io);
  const call = parseExtcapArgs(args);
  if (call.kind === 'usage') {
    io.err(`vethscope extcap: ${call.message}\n${EXTCAP_USAGE}`);
    return 2;
  }
  const root = process.getuid?.() === 0;
  // Wireshark runs us without a terminal. A capture may start the helper as the app does
  // (sudo -n with the group rule, pkexec on a desktop); a listing never asks for a password.
  const helperOptions = call.kind === 'capture' || root ? { interactive: false } : { interactive: false, elevation: 'sudo' as const };
  const backend = createBackend({ helperOptions });
  try {
    if (call.kind === 'filter-check') {
      // Wireshark colours its filter field: nothing printed means valid, else the first line says why.
      const r = await backend.call('validateFilter', { filter: call.filter });
      if (!r.ok) io.out(r.error.message.split('\n')[0]!);
      return 0;
    }
    if (call.kind === 'capture') return await extcapCapture(call, { backend, containers: () => backendListing(backend), err: io.err });
    const answer = await answerListingCall(call, vethscopeVersion(), {
      here: () => listHere(),
      readCache: () => readCache(),
      writeCache: (c, host) => writeCache(c, process.env, Date.now(), host),
      backend: () => backendListing(backend),
      warn: (m) => io.err(`vethscope extcap: ${m}`),
    });
    if (answer === 'needs-backend') throw new Error(`${call.kind}: no listing`); // the Backend always lists
    if (answer.out) io.out(answer.out);
    if (answer.err) io.err(answer.err);
    return answer.status;
  } finally {
    await backend.close();
  }
}
