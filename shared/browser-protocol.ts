// Browser mode's wire protocol (served by electron/front-doors/browser, spoken by renderer/src/api).
// No secret rides in a cookie, and none in a URL the page requests (cookies reach every port of
// 127.0.0.1, and a URL leaks through /proc/PID/cmdline, history and logs):
// 1. link:      `vethscope serve` prints http://127.0.0.1:PORT/#ticket=TICKET. The ticket is exchanged once,
//               within TICKET_TTL_MS; a fragment never reaches a server, its logs or a Referer.
// 2. page:      index.html and the assets hold no secret and are served without one (Host/Origin checks still apply).
//               The page removes the fragment from the address bar before anything else, then
//               POST SESSION_PATH {"ticket": TICKET}  -> Result<SessionGrant> (refused: 403 + TicketRefusalBody)
//               and keeps the session secret in memory and sessionStorage (per tab, per origin = per port).
//               GET SESSION_PATH + SESSION_HEADER     -> Result<{}>: is this tab's session still known?
// 3. calls:     POST CALL_PATH + METHOD + SESSION_HEADER, body JSON input -> Result JSON (200 once authorised)
// 4. events:    WebSocket EVENTS_PATH offering the subprotocols [EVENTS_PROTOCOL, SESSION_PROTOCOL_PREFIX + SESSION];
//               the server selects EVENTS_PROTOCOL; server -> client: {"event": NAME, "payload": ...}
// 5. downloads: POST DOWNLOADS_PATH {"id": CAPTURE_ID} + SESSION_HEADER -> Result<DownloadGrant>: a link for that
//               capture only, valid once, within DOWNLOAD_TTL_MS; GET it for the file (used or expired: 410).
// Refusals: Host or Origin not this server's loopback name:port -> 403 (DNS rebinding, other sites);
// no session -> 401; an unknown session -> 403; a doubled session header or subprotocol -> 400.
import * as z from 'zod';
import { builtOnFirstUse } from './lazy';

export const TICKET_PARAM = 'ticket';
export const TICKET_TTL_MS = 5 * 60_000;
export const DOWNLOAD_TTL_MS = 60_000;
export const SESSION_PATH = '/api/session';
export const SESSION_HEADER = 'x-vethscope-session';
/** sessionStorage key of the page's session secret. */
export const SESSION_STORAGE_KEY = 'vethscope.session';
export const CALL_PATH = '/api/call/';
export const EVENTS_PATH = '/api/events';
export const EVENTS_PROTOCOL = 'vethscope.events.v1';
/** Base64url secrets are valid subprotocol tokens; a subprotocol is a header, never part of the URL. */
export const SESSION_PROTOCOL_PREFIX = 'vethscope.session.';
export const DOWNLOADS_PATH = '/api/downloads';
export const downloadLinkPath = (link: string) => `${DOWNLOADS_PATH}/${link}`;

export const TicketRequest = builtOnFirstUse(() => z.strictObject({ ticket: z.string().min(1).max(256) }));
export const DownloadRequest = builtOnFirstUse(() => z.strictObject({ id: z.string().min(1).max(256) }));
export interface SessionGrant {
  session: string;
}
export interface DownloadGrant {
  /** Same-origin path of a single-use link. */
  url: string;
}

/** Why a ticket was refused (server side) or why the page has no session (page side). */
export type TicketRefusal = 'used' | 'expired' | 'unknown';
export type SessionProblem = TicketRefusal | 'no-link' | 'ended' | 'unreachable';
export interface TicketRefusalBody {
  ok: false;
  error: { code: 'PERMISSION_DENIED'; message: string };
  reason: TicketRefusal;
}

const NEW_LINK = 'Press Enter in the terminal running vethscope serve for a new link (or restart it).';
/** What the page says when it cannot get a session: one place for the server's and the page's words. */
export const SESSION_PROBLEMS: Record<SessionProblem, { title: string; detail: string }> = {
  used: { title: 'This link was already used', detail: `Each link that vethscope serve prints opens one browser tab, once. ${NEW_LINK}` },
  expired: { title: 'This link has expired', detail: `Links from vethscope serve work for ${TICKET_TTL_MS / 60_000} minutes. ${NEW_LINK}` },
  unknown: { title: 'This link is not from this server', detail: `vethscope serve may have restarted since it printed it. ${NEW_LINK}` },
  'no-link': { title: 'Open the link that vethscope serve printed', detail: `This page needs the link it prints (ending in #${TICKET_PARAM}=…). ${NEW_LINK}` },
  ended: { title: "This tab's session has ended", detail: `vethscope serve no longer knows it (was it restarted?). ${NEW_LINK}` },
  unreachable: { title: 'Cannot reach vethscope serve', detail: 'Is it still running? Start it again and open the link it prints.' },
};

export interface EventMessage {
  event: string;
  payload: unknown;
}
