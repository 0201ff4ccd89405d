// Browser mode leaks no secret (issue 10): the real server (in this process, with a clock
// the test moves) and the built page in Debian's Chromium. Every test gets a server of its
// own, so the printed link of each is fresh. The backend is real (no Docker: its socket is
// missing on purpose); only listCaptures and the capture file are canned, for Save as….
import { test, expect, type Page } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createServices, type Services } from '../../electron/backend/create-backend';
import { createServer, type RunningServer, type ServerBackend } from '../../electron/front-doors/browser/server';
import { SESSION_STORAGE_KEY, TICKET_TTL_MS } from '../../shared/browser-protocol';
import type { CaptureInfo } from '../../shared/capture';
import { shot, skipUnlessReady } from './helpers';

let tmp: string;
let services: Services;
let capFile: string;
const CAP_BYTES = Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0]);
const saved = (file: string): CaptureInfo => ({
  id: 'cap-e2e-1',
  state: 'stopped',
  reason: 'user',
  error: null,
  format: 'pcap',
  filter: '',
  targets: [{ type: 'container', container: 'web' }],
  interfaces: [],
  files: [file],
  startedAt: new Date(Date.now() - 5000).toISOString(),
  endedAt: new Date().toISOString(),
  packets: 0,
  bytes: CAP_BYTES.length,
  dropped: 0,
  packetsPerSec: 0,
  bytesPerSec: 0,
  gaps: [],
});

test.beforeAll(() => {
  if (process.env.VSU_E2E_SKIP) return;
  tmp = mkdtempSync(path.join(os.tmpdir(), 'vsu-e2e-session-'));
  capFile = path.join(tmp, 'cap.pcap');
  writeFileSync(capFile, CAP_BYTES);
  services = createServices({ env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent/vsu-e2e-session.sock' }, capturesDir: tmp });
});
test.afterAll(async () => {
  await services?.backend.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

let clock = Date.now();
let srv: RunningServer;
test.beforeEach(async () => {
  if (process.env.VSU_E2E_SKIP) return;
  clock = Date.now();
  const backend: ServerBackend = {
    call: async (method, input) => (method === 'listCaptures' ? { ok: true, result: [saved(capFile)] } : services.backend.callUntrusted(method, input)),
    on: (event, listener) => services.backend.on(event, listener),
    captureFile: async (id) => (id === 'cap-e2e-1' ? capFile : null),
  };
  srv = await createServer({ backend, staticDir: path.resolve('dist/renderer'), now: () => clock });
});
test.afterEach(async () => srv?.close());

/** Every value in the printed link's query and fragment: what must never travel again. */
function secretsOfLink(link: string): string[] {
  const u = new URL(link);
  return [...u.searchParams.values(), ...new URLSearchParams(u.hash.slice(1)).values()].filter((v) => v.length >= 16);
}

/** The app is up: its first topology arrived through the API. */
async function appLoaded(page: Page) {
  await expect(page.getByText(/namespaces · discovered in/)).toBeVisible({ timeout: 30_000 });
}

/** This tab's session secret as the page keeps it (the spec is type-checked without DOM types). */
const storedSession = (page: Page) => page.evaluate<string | null>(`sessionStorage.getItem(${JSON.stringify(SESSION_STORAGE_KEY)})`);

const apiStatusFromPage = (page: Page) =>
  page.evaluate(async () => (await fetch('/api/call/getStatus', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status);

test('a second server on another 127.0.0.1 port receives no cookie and no secret from the browser', async ({ page, context }) => {
  skipUnlessReady();
  const seen: Array<{ url: string; headers: http.IncomingHttpHeaders }> = [];
  const other = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>other user</title>');
  });
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  try {
    await page.goto(srv.url);
    await appLoaded(page);
    const session = await storedSession(page);
    const secrets = [...secretsOfLink(srv.url), ...(session ? [session] : [])];
    expect(secrets.length).toBeGreaterThan(0);
    // The other local user's page, opened in the same browser (as a link in a mail would be).
    await page.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
    await page.goto(`http://localhost:${(other.address() as AddressInfo).port}/again`);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const r of seen) {
      expect(r.headers.cookie, `cookie sent to ${r.url}`).toBeUndefined();
      const everything = r.url + JSON.stringify(r.headers);
      for (const s of secrets) expect(everything).not.toContain(s);
    }
    expect(await context.cookies()).toEqual([]);
  } finally {
    await new Promise<void>((r) => other.close(() => r()));
  }
});

test('the printed link works once: a replay in another browser gets a clear message and no API', async ({ page, browser }) => {
  skipUnlessReady();
  await page.goto(srv.url);
  await appLoaded(page);
  const thief = await browser.newContext();
  try {
    const replay = await thief.newPage();
    await replay.goto(srv.url);
    await expect(replay.getByRole('heading', { name: /already used/i })).toBeVisible();
    await expect(replay.getByText(/press Enter in the terminal running vethscope serve/i)).toBeVisible();
    await shot(replay, 'link-already-used');
    expect(await apiStatusFromPage(replay)).toBe(401);
    expect(await storedSession(replay)).toBeNull();
  } finally {
    await thief.close();
  }
  // The first tab keeps working after the replay was refused.
  await page.reload();
  await appLoaded(page);
});

test('an expired link is refused with a clear message', async ({ page }) => {
  skipUnlessReady();
  clock += TICKET_TTL_MS + 1000;
  await page.goto(srv.url);
  await expect(page.getByRole('heading', { name: /expired/i })).toBeVisible();
  await expect(page.getByText(/press Enter in the terminal running vethscope serve/i)).toBeVisible();
  await shot(page, 'link-expired');
  expect(await apiStatusFromPage(page)).toBe(401);
});

test('after load the address bar holds no ticket, and no request URL carries the ticket or the session', async ({ page }) => {
  skipUnlessReady();
  const urls: string[] = [];
  page.on('request', (r) => urls.push(r.url()));
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await page.goto(srv.url);
  await appLoaded(page);
  expect(await page.evaluate<string>('location.href')).toBe(`${new URL(srv.url).origin}/`);
  const session = await storedSession(page);
  expect(session).toMatch(/^[\w-]{43}$/);
  // Events flow over a WebSocket whose URL holds no secret.
  await expect.poll(() => sockets.length).toBeGreaterThan(0);
  // A reload keeps the tab's session (sessionStorage) and needs no ticket.
  await page.reload();
  await appLoaded(page);
  expect(await page.evaluate<string>('location.href')).toBe(`${new URL(srv.url).origin}/`);
  const secrets = [...secretsOfLink(srv.url), session!];
  expect(urls.length).toBeGreaterThan(3);
  for (const u of [...urls.map((x) => x.split('#')[0]!), ...sockets]) for (const s of secrets) expect(u, u).not.toContain(s);
  for (const u of urls.slice(1)) expect(u, 'only the first navigation may carry the ticket (in its fragment)').not.toContain(secretsOfLink(srv.url)[0]!);
  console.log(`[e2e] ${urls.length} requests and ${sockets.length} WebSocket(s) recorded; none carries a secret`);
});

test('events arrive on the WebSocket authenticated without a URL secret', async ({ page }) => {
  skipUnlessReady();
  const wsPromise = page.waitForEvent('websocket');
  await page.goto(srv.url);
  const ws = await wsPromise;
  expect(ws.url()).toBe(`ws://${new URL(srv.url).host}/api/events`);
  await appLoaded(page);
  const frame = ws.waitForEvent('framereceived', { predicate: (f) => String(f.payload).includes('"time":424242') });
  services.backend.emit('rates', { time: 424242, intervalSec: 1, interfaces: [], containers: [] });
  expect(JSON.parse(String((await frame).payload)).event).toBe('rates');
});

test('Save as… downloads through a single-use link that holds no session', async ({ page }) => {
  skipUnlessReady();
  await page.goto(srv.url);
  await appLoaded(page);
  const session = await storedSession(page);
  const row = page.getByRole('region', { name: 'Saved captures' }).getByRole('row', { name: /Capture cap\.pcap/ });
  const [download] = await Promise.all([page.waitForEvent('download'), row.getByText('Save as…').click()]);
  expect(download.suggestedFilename()).toBe('cap.pcap');
  expect(readFileSync((await download.path())!)).toEqual(CAP_BYTES);
  const link = download.url();
  for (const s of [...secretsOfLink(srv.url), ...(session ? [session] : [])]) expect(link).not.toContain(s);
  // Used once: the same link again gets nothing.
  const again = await page.request.get(link);
  expect(again.status()).toBe(410);
  expect((await again.body()).includes(CAP_BYTES)).toBe(false);
  // A second Save as… gets a fresh link and works.
  const [second] = await Promise.all([page.waitForEvent('download'), row.getByText('Save as…').click()]);
  expect(second.url()).not.toBe(link);
  expect(readFileSync((await second.path())!)).toEqual(CAP_BYTES);
});
