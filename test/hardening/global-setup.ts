// The hardening suite's own dockerd (/tmp/vethscope-hard, bridge vshbr0): the fault tests stop
// and start it, which must never happen to the daemon other suites share.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { resetMetrics } from './metrics';

const ENV = {
  ...process.env,
  VETHSCOPE_TEST_ROOT: '/tmp/vethscope-hard',
  VETHSCOPE_TEST_BRIDGE: 'vshbr0',
  VETHSCOPE_TEST_CIDR: '10.214.0.1/24',
};

export default function setup(): () => void {
  resetMetrics();
  if (process.getuid?.() !== 0) {
    console.log('[hardening] not root: suites that need a private dockerd, namespaces and tcpdump are skipped');
    return () => undefined;
  }
  execFileSync('bash', [resolve(__dirname, '../support/daemon.sh'), 'start'], { env: ENV, stdio: ['ignore', 'ignore', 'inherit'] });
  return () => {
    if (process.env.VETHSCOPE_HARDENING_KEEP_DAEMON) return;
    // Only ours: this daemon's root, socket and bridge.
    execFileSync('bash', [resolve(__dirname, '../support/daemon.sh'), 'stop'], { env: ENV, stdio: ['ignore', 'ignore', 'inherit'] });
  };
}
