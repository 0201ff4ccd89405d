// Tickets, sessions and download links: single use, expiry, bounds (with a clock the test moves).
import { describe, expect, it } from 'vitest';
import { createCredentials, SecretSet } from '../../../electron/front-doors/browser/credentials';
import { DOWNLOAD_TTL_MS, TICKET_TTL_MS } from '../../../shared/browser-protocol';

function clocked() {
  const c = { t: 5_000 };
  return { c, creds: createCredentials(() => c.t) };
}

describe('credentials', () => {
  it('a ticket gives one session, then says "used"; a session is not a ticket and a ticket is not a session', () => {
    const { creds } = clocked();
    const ticket = creds.issueTicket();
    const first = creds.redeemTicket(ticket);
    expect(first.ok).toBe(true);
    const session = first.ok ? first.session : '';
    expect(creds.isSession(session)).toBe(true);
    expect(creds.redeemTicket(ticket)).toEqual({ ok: false, reason: 'used' });
    expect(creds.isSession(ticket)).toBe(false);
    expect(creds.redeemTicket(session)).toEqual({ ok: false, reason: 'unknown' });
    expect(creds.redeemTicket('')).toEqual({ ok: false, reason: 'unknown' });
  });

  it('a ticket expires after TICKET_TTL_MS and says so, even when tried again later', () => {
    const { c, creds } = clocked();
    const ticket = creds.issueTicket();
    c.t += TICKET_TTL_MS;
    expect(creds.redeemTicket(ticket)).toEqual({ ok: false, reason: 'expired' });
    c.t += 3600_000;
    expect(creds.redeemTicket(ticket)).toEqual({ ok: false, reason: 'expired' });
  });

  it('download links are bound to one capture, work once, expire after DOWNLOAD_TTL_MS', () => {
    const { c, creds } = clocked();
    const a = creds.issueDownload('cap-a');
    const b = creds.issueDownload('cap-b');
    expect(creds.redeemDownload(b)).toEqual({ ok: true, value: 'cap-b' });
    expect(creds.redeemDownload(b)).toEqual({ ok: false, reason: 'used' });
    c.t += DOWNLOAD_TTL_MS - 1;
    expect(creds.redeemDownload(a)).toEqual({ ok: true, value: 'cap-a' });
    const late = creds.issueDownload('cap-a');
    c.t += DOWNLOAD_TTL_MS;
    expect(creds.redeemDownload(late)).toEqual({ ok: false, reason: 'expired' });
  });

  it('stays bounded: the oldest ticket and the least recently used session go first', () => {
    const set = new SecretSet<number>(3, () => 0);
    const s = [1, 2, 3].map((n) => set.add(n, Infinity));
    expect(set.peek(s[0]!)).toBe(1); // 1 is now the most recently used
    set.add(4, Infinity);
    expect(set.size).toBe(3);
    expect(set.peek(s[1]!)).toBeUndefined(); // 2 was the least recently used
    expect(set.peek(s[0]!)).toBe(1);
    expect(set.take(s[1]!)).toEqual({ ok: false, reason: 'expired' }); // pushed out: as good as expired

    const { creds } = clocked();
    const tickets = Array.from({ length: 17 }, () => creds.issueTicket());
    expect(creds.redeemTicket(tickets[0]!)).toEqual({ ok: false, reason: 'expired' });
    expect(creds.redeemTicket(tickets[16]!).ok).toBe(true);
  });

  it('sessions opened in process are sessions like any other, and secrets never repeat', () => {
    const { creds } = clocked();
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) seen.add(creds.openSession());
    expect(seen.size).toBe(50);
    for (const s of seen) expect(s).toMatch(/^[\w-]{43}$/);
    expect([...seen].every((s) => creds.isSession(s))).toBe(true);
  });
});
