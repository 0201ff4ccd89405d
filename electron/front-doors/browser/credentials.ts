// Who may drive a browser-mode server: single-use tickets (the printed link), session secrets
// (held by a page, sent in a header), single-use download links. Every secret is 32 random
// bytes; only its SHA-256 is kept, and a lookup compares the given value with every live one
// in constant time, so timing tells nothing about any of them.
import { DOWNLOAD_TTL_MS, TICKET_TTL_MS, type TicketRefusal } from '../../../shared/browser-protocol';
import { digestsMatch, newSecret, secretDigest } from './security';

/** Printed links not yet used (pressing Enter twenty times must not grow memory). */
const MAX_TICKETS = 16;
/** Open tabs; the least recently used goes first. */
const MAX_SESSIONS = 64;
const MAX_DOWNLOADS = 32;
/** Spent secrets remembered, so a second use is told "already used", not "unknown". */
const MAX_SPENT = 256;

interface Entry<T> {
  digest: Buffer;
  value: T;
  expiresAt: number;
}

export type Taken<T> = { ok: true; value: T } | { ok: false; reason: TicketRefusal };

/** A bounded set of secrets, each valid until it expires or is taken. */
export class SecretSet<T> {
  private live: Entry<T>[] = [];
  private readonly spent = new Map<string, 'used' | 'expired'>();

  constructor(
    private readonly max: number,
    private readonly now: () => number,
  ) {}

  /** A new secret standing for `value`; when full, the oldest (or least recently used) one is dropped. */
  add(value: T, ttlMs: number): string {
    this.expire();
    const secret = newSecret();
    this.live.push({ digest: secretDigest(secret), value, expiresAt: this.now() + ttlMs });
    // Pushed out by newer ones: to its holder it is as good as expired.
    while (this.live.length > this.max) this.spend(this.live.shift()!, 'expired');
    return secret;
  }

  /** The value of a live secret (kept; counts as a use for least-recently-used), or undefined. */
  peek(given: string): T | undefined {
    this.expire();
    const i = this.indexOf(given);
    if (i < 0) return undefined;
    const [entry] = this.live.splice(i, 1);
    this.live.push(entry!);
    return entry!.value;
  }

  /** Take a single-use secret: its value once, then "used" for ever after (or "expired", "unknown"). */
  take(given: string): Taken<T> {
    this.expire();
    const i = this.indexOf(given);
    if (i >= 0) {
      const [entry] = this.live.splice(i, 1);
      this.spend(entry!, 'used');
      return { ok: true, value: entry!.value };
    }
    return { ok: false, reason: this.spent.get(secretDigest(given).toString('hex')) ?? 'unknown' };
  }

  get size(): number {
    return this.live.length;
  }

  /** Compares with every live digest, no early exit. */
  private indexOf(given: string): number {
    const d = secretDigest(given);
    let hit = -1;
    for (let i = 0; i < this.live.length; i++) if (digestsMatch(this.live[i]!.digest, d)) hit = i;
    return hit;
  }

  private expire(): void {
    const t = this.now();
    const [gone, kept] = [this.live.filter((e) => e.expiresAt <= t), this.live.filter((e) => e.expiresAt > t)];
    this.live = kept;
    for (const e of gone) this.spend(e, 'expired');
  }

  private spend(e: Entry<T>, why: 'used' | 'expired'): void {
    this.spent.set(e.digest.toString('hex'), why);
    if (this.spent.size > MAX_SPENT) this.spent.delete(this.spent.keys().next().value!);
  }
}

export interface Credentials {
  /** A ticket for a new printed link. */
  issueTicket(): string;
  /** Exchange a ticket, once, for a new session secret. */
  redeemTicket(ticket: string): { ok: true; session: string } | { ok: false; reason: TicketRefusal };
  /** A session for an in-process caller (the server's owner): no ticket needed. */
  openSession(): string;
  isSession(given: string): boolean;
  /** A single-use link secret for one capture's file. */
  issueDownload(captureId: string): string;
  redeemDownload(link: string): Taken<string>;
}

export function createCredentials(now: () => number = Date.now): Credentials {
  const tickets = new SecretSet<null>(MAX_TICKETS, now);
  // A session lives as long as the server: a tab left open all day keeps working.
  const sessions = new SecretSet<null>(MAX_SESSIONS, now);
  const downloads = new SecretSet<string>(MAX_DOWNLOADS, now);
  const openSession = () => sessions.add(null, Number.POSITIVE_INFINITY);
  return {
    issueTicket: () => tickets.add(null, TICKET_TTL_MS),
    redeemTicket(ticket) {
      const t = tickets.take(ticket);
      return t.ok ? { ok: true, session: openSession() } : t;
    },
    openSession,
    isSession: (given) => sessions.peek(given) !== undefined,
    issueDownload: (captureId) => downloads.add(captureId, DOWNLOAD_TTL_MS),
    redeemDownload: (link) => downloads.take(link),
  };
}
