// The IPC call handler and event forwarding, with a real Backend.
import type { IpcMainInvokeEvent } from 'electron';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createServices } from '../../../../electron/backend/create-backend';
import { forwardEvents, makeIpcCallHandler } from '../../../../electron/front-doors/desktop/ipc';
import { isTrustedSender, RENDERER_URL } from '../../../../electron/front-doors/desktop/security';
import { hostOnlyScanner } from '../../topology-fixtures';

const { backend } = createServices({ env: { DOCKER_HOST: 'unix:///nonexistent/vss.sock' }, scanner: hostOnlyScanner() });
afterAll(() => backend.close());
const fromFrame = (url: string, parent: unknown = null) => ({ senderFrame: { url, parent } }) as unknown as IpcMainInvokeEvent;
const handler = makeIpcCallHandler(backend, (e) => isTrustedSender(e.senderFrame));

describe('makeIpcCallHandler', () => {
  it('refuses foreign senders without reaching the backend', async () => {
    const spy = vi.spyOn(backend, 'call');
    expect(await handler(fromFrame('https://evil.example/'), 'getTopology', {})).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(await handler(fromFrame(RENDERER_URL, {}), 'getTopology', {})).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });
  it('refuses unknown methods and invalid input as data', async () => {
    expect(await handler(fromFrame(RENDERER_URL), 'constructor', {})).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await handler(fromFrame(RENDERER_URL), 42, {})).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await handler(fromFrame(RENDERER_URL), 'getTopology', { evil: true })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
  it('dispatches a trusted call to the backend', async () => {
    const r = await handler(fromFrame(RENDERER_URL), 'getTopology', {});
    expect(r.ok).toBe(true);
  });
  it('turns a throwing backend into a Result', async () => {
    const h = makeIpcCallHandler({ call: () => Promise.reject(new Error('boom')), on: () => () => {} }, () => true);
    expect(await h(fromFrame(RENDERER_URL), 'getTopology', {})).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'boom' } });
  });
});

describe('forwardEvents', () => {
  it('forwards every event until unsubscribed', () => {
    const sent: unknown[] = [];
    const off = forwardEvents(backend, (event, payload) => sent.push([event, payload]));
    const sample = { time: 1, intervalSec: 1, interfaces: [], containers: [] };
    backend.emit('rates', sample);
    off();
    backend.emit('rates', sample);
    expect(sent).toEqual([['rates', sample]]);
  });
});
