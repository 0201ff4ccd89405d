// A Podman of the suite's own: its own storage, run root, network config and temp folder
// (rootful), or a test user's own (rootless), and the limits this sandbox needs (no
// CAP_SYS_RESOURCE: soft limits under the hard ones).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestUser } from '../../support/users';
import { busyboxTar, run, tryRun } from './host-setup';

export const ENGINE_IMAGE = 'localhost/vseng-bb:1';
const CONF = '[containers]\ndefault_ulimits = ["nofile=4096:4096","nproc=4096:4096"]\n';

export class TestPodman {
  readonly conf: string;

  constructor(
    readonly dir: string,
    /** Rootless: that user's own Podman (their storage under ~/.local/share/containers). */
    readonly user?: TestUser,
  ) {
    mkdirSync(dir, { recursive: true });
    this.conf = join(dir, 'containers.conf');
    writeFileSync(this.conf, CONF, { mode: 0o644 });
    if (user) run('chown', ['-R', `${user.uid}:${user.gid}`, dir]);
  }

  private argv(args: string[]): string[] {
    const own = this.user ? [] : ['--root', join(this.dir, 'root'), '--runroot', join(this.dir, 'run'), '--cgroup-manager', 'cgroupfs', '--network-config-dir', join(this.dir, 'net'), '--tmpdir', join(this.dir, 'tmp'), '--events-backend', 'file'];
    const podman = ['podman', ...own, ...args];
    if (!this.user) return podman;
    return ['setpriv', `--reuid=${this.user.uid}`, `--regid=${this.user.gid}`, '--init-groups', 'env', `HOME=/home/${this.user.name}`, `USER=${this.user.name}`, `CONTAINERS_CONF=${this.conf}`, ...podman];
  }

  private env(): NodeJS.ProcessEnv {
    return { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', CONTAINERS_CONF: this.conf, HOME: this.user ? `/home/${this.user.name}` : '/root' };
  }

  podman(...args: string[]): string {
    const [cmd, ...rest] = this.argv(args);
    return run(cmd!, rest, { env: this.env() });
  }

  tryPodman(...args: string[]) {
    const [cmd, ...rest] = this.argv(args);
    return tryRun(cmd!, rest, { env: this.env() });
  }

  /** The busybox image, imported (podman import), as ENGINE_IMAGE. */
  importImage(): void {
    const tar = busyboxTar(join(this.dir, 'rootfs'), join(this.dir, 'bb.tar'));
    if (this.user) run('chown', ['-R', `${this.user.uid}:${this.user.gid}`, this.dir]);
    this.podman('import', '--change', 'CMD ["/bin/sh"]', tar, ENGINE_IMAGE);
  }

  pid(name: string): number {
    return Number(this.podman('inspect', '-f', '{{.State.Pid}}', name));
  }

  ip(name: string): string {
    return this.podman('inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', name);
  }

  id(name: string): string {
    return this.podman('inspect', '-f', '{{.Id}}', name);
  }

  bridgeOf(network: string): string {
    return this.podman('network', 'inspect', '-f', '{{.NetworkInterface}}', network);
  }

  /** Everything this Podman made: containers, pods, networks, then its folders (images live there). */
  remove(networks: string[]): void {
    this.tryPodman('pod', 'rm', '-af', '-t', '0');
    this.tryPodman('rm', '-af', '-t', '0');
    for (const n of networks) this.tryPodman('network', 'rm', '-f', n);
    if (this.user) this.tryPodman('system', 'reset', '-f');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
