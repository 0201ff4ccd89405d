import { describe, expect, it } from 'vitest';
import { parseHostUrl, sshDestination } from '../../../electron/backend/remote/host-url';
import { HostId } from '../../../shared/topology';

describe('parseHostUrl', () => {
  it('reads ssh://[user@]host[:port], bare forms and config aliases', () => {
    expect(parseHostUrl('ssh://root@alpha:2222')).toMatchObject({ id: 'root@alpha:2222', name: 'alpha', user: 'root', host: 'alpha', port: 2222, url: 'ssh://root@alpha:2222' });
    expect(parseHostUrl('ssh://staging')).toMatchObject({ id: 'staging', user: null, port: null });
    expect(parseHostUrl('deploy@10.0.0.5:22')).toMatchObject({ id: 'deploy@10.0.0.5', port: null });
    expect(parseHostUrl('ssh://[fd00::1]:2200')).toMatchObject({ name: 'fd00::1', host: 'fd00::1', port: 2200 });
    expect(sshDestination(parseHostUrl('ssh://root@alpha'))).toBe('root@alpha');
  });

  it('refuses anything ssh could read as an option or a shell could interpret', () => {
    for (const bad of ['ssh://-oProxyCommand=id', 'ssh://-p1', 'ssh://a;id', 'ssh://$(id)', 'ssh://a b', 'ssh://a`id`', 'ssh://a|id', 'ssh://x@-oX', 'tcp://a', 'ssh://', 'local', 'ssh://a:0', 'ssh://a:70000', 'ssh://Root@a', 'ssh://a/b', 'ssh://a\nb', "ssh://a'b"]) {
      expect(() => parseHostUrl(bad), bad).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    }
  });

  it('the API schema agrees with the parser', () => {
    expect(HostId.safeParse('root@alpha:2222').success).toBe(true);
    expect(HostId.safeParse('local').success).toBe(true);
    expect(HostId.safeParse('-oProxyCommand=x').success).toBe(false);
    expect(HostId.safeParse('a;b').success).toBe(false);
  });
});
