// serveCommand's argument rules and lifecycle, with the real server on loopback.
import { describe, expect, it, vi } from 'vitest';
import { createServices, type BackendOptions } from '../../../electron/backend/create-backend';
import { serveCommand } from '../../../electron/front-doors/cli/serve-command';
import { isLoopbackAddress } from '../../../electron/front-doors/browser/security';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), isTTY: false } };
}

describe('serveCommand', () => {
  it('refuses non-loopback hosts unless --allow-remote', async () => {
    const o = io();
    expect(await serveCommand(['--host', '192.168.1.5'], o.io)).toBe(64);
    expect(o.err.join('')).toMatch(/not a loopback address.*--allow-remote/s);
    expect(o.out).toEqual([]);
  });

  it('rejects a bad port and unknown options', async () => {
    expect(await serveCommand(['--port', 'eighty'], io().io)).toBe(64);
    expect(await serveCommand(['--port', '70000'], io().io)).toBe(64);
    expect(await serveCommand(['--bogus'], io().io)).toBe(64);
  });

  it('passes --captures-dir to the backend, prints the URL first, closes the backend on stop', async () => {
    const o = io();
    let seen: BackendOptions | undefined;
    let closeSpy: ReturnType<typeof vi.spyOn> | undefined;
    let stop!: (s: string) => void;
    const done = serveCommand(['--port', '0', '--captures-dir', '/tmp/vss-caps'], o.io, {
      staticDir: '/nonexistent-vss',
      createBackend: (opts) => {
        seen = opts;
        const s = createServices({ ...opts, env: { DOCKER_HOST: 'unix:///nonexistent/vss.sock' } });
        closeSpy = vi.spyOn(s.backend, 'close');
        return s.backend;
      },
      stopSignal: () => new Promise((r) => (stop = r)),
    });
    await vi.waitFor(() => expect(o.out.length).toBe(1), { timeout: 5000 });
    expect(o.out[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43}$/);
    expect(seen?.capturesDir).toBe('/tmp/vss-caps');
    const res = await fetch(o.out[0]!.replace('/?token=', '/api/call/getTopology?token='), { method: 'POST' });
    expect(res.status).toBe(200);
    stop('SIGTERM');
    expect(await done).toBe(0);
    expect(closeSpy).toHaveBeenCalledOnce();
    await expect(fetch(o.out[0]!)).rejects.toThrow(); // the port is closed
  });

  it('classifies loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackAddress(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '127.0.0.256', 'localhost.evil.com', '128.0.0.1']) expect(isLoopbackAddress(h), h).toBe(false);
  });
});
