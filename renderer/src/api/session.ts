// Browser mode's session (shared/browser-protocol.ts): take the printed link's ticket out of the
// address bar, exchange it once for a session secret, and keep that secret in this tab's
// sessionStorage (per tab, per origin = per port) so a reload of the tab needs no new link.
import {
  SESSION_HEADER,
  SESSION_PATH,
  SESSION_STORAGE_KEY,
  TICKET_PARAM,
  type SessionProblem,
  type TicketRefusal,
} from '../../../shared/browser-protocol';

export interface SessionEnv {
  location: Pick<Location, 'hash' | 'pathname' | 'search' | 'origin'>;
  history: Pick<History, 'replaceState' | 'state'>;
  /** sessionStorage, or null where the browser refuses it (the session then lasts until a reload). */
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  fetchImpl: typeof fetch;
}

export type SessionOutcome = { ok: true; session: string } | { ok: false; problem: SessionProblem };

/** The ticket in the fragment, removed from the address bar (and so from history) at once. */
export function takeTicket(env: Pick<SessionEnv, 'location' | 'history'>): string | null {
  const params = new URLSearchParams(env.location.hash.replace(/^#/, ''));
  const ticket = params.get(TICKET_PARAM);
  if (ticket === null) return null;
  params.delete(TICKET_PARAM);
  const rest = params.toString();
  env.history.replaceState(env.history.state, '', `${env.location.pathname}${env.location.search}${rest ? `#${rest}` : ''}`);
  return ticket;
}

/** Exchange the ticket (if any) or reuse this tab's stored session; say why when neither works. */
export async function establishSession(env: SessionEnv, ticket: string | null): Promise<SessionOutcome> {
  const stored = read(env.storage);
  try {
    if (ticket) {
      const res = await env.fetchImpl(`${env.location.origin}${SESSION_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ [TICKET_PARAM]: ticket }),
      });
      const body = (await res.json().catch(() => null)) as { ok?: boolean; result?: { session?: unknown }; reason?: TicketRefusal } | null;
      const session = body?.ok ? body.result?.session : undefined;
      if (res.ok && typeof session === 'string' && session) {
        write(env.storage, session);
        return { ok: true, session };
      }
      // The same link opened again in a tab that already has a session: keep the session.
      if (stored && (await isKnown(env, stored))) return { ok: true, session: stored };
      return { ok: false, problem: body?.reason ?? 'unknown' };
    }
    if (!stored) return { ok: false, problem: 'no-link' };
    if (await isKnown(env, stored)) return { ok: true, session: stored };
    env.storage?.removeItem(SESSION_STORAGE_KEY);
    return { ok: false, problem: 'ended' };
  } catch {
    return { ok: false, problem: 'unreachable' };
  }
}

async function isKnown(env: SessionEnv, session: string): Promise<boolean> {
  const res = await env.fetchImpl(`${env.location.origin}${SESSION_PATH}`, { headers: { [SESSION_HEADER]: session } });
  return res.status === 200;
}

function read(storage: SessionEnv['storage']): string | null {
  try {
    return storage?.getItem(SESSION_STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

function write(storage: SessionEnv['storage'], session: string): void {
  try {
    storage?.setItem(SESSION_STORAGE_KEY, session);
  } catch {
    /* storage refused (private mode, quota): the session lives in memory until a reload */
  }
}
