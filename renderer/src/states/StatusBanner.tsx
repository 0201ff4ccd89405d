// What is wrong with the backend, and the way forward for each case.
import type { ReactElement } from 'react';
import type { BackendStatus } from '../../../shared/api';
import type { Topology } from '../../../shared/topology';
import type { ErrorInfo } from '../../../shared/result';

interface Props {
  status: BackendStatus | null;
  topology: Topology | null;
  topologyError: ErrorInfo | null;
  retrying: boolean;
  onRetryHelper: () => void;
  onRetryTopology: () => void;
}

export function StatusBanner({ status, topology, topologyError, retrying, onRetryHelper, onRetryTopology }: Props) {
  const banners: ReactElement[] = [];
  const docker = topology?.docker ?? (status ? { ...status.docker, endpoint: undefined } : null);
  if (topologyError) {
    banners.push(
      <div key="topo" className="vs-banner vs-banner-error" role="alert">
        <strong>Cannot load the topology.</strong> {topologyError.message} <code className="vs-code">{topologyError.code}</code>
        <button type="button" onClick={onRetryTopology}>
          Retry
        </button>
      </div>,
    );
  }
  if (docker && !docker.available) {
    banners.push(
      <div key="docker" className="vs-banner vs-banner-error" role="alert" data-testid="docker-unreachable">
        <strong>Docker is unreachable.</strong> {docker.error?.message ?? 'The Docker daemon did not answer.'}{' '}
        {docker.error?.code && <code className="vs-code">{docker.error.code}</code>}
        <span className="vs-hint">
          Is the daemon running, and can you use its socket{'endpoint' in docker && docker.endpoint ? ` (${docker.endpoint})` : ''}? Check DOCKER_HOST, or
          add yourself to the docker group. Namespaces not owned by Docker are still shown.
        </span>
        <button type="button" onClick={onRetryTopology}>
          Retry
        </button>
      </div>,
    );
  }
  const priv = status?.privileged ?? topology?.privileged ?? null;
  // 'root' with available=false and no error is a backend still probing, not a refusal: stay quiet.
  if (priv && !priv.available && (priv.mode === 'none' || priv.error)) {
    const refused = priv.error?.code === 'HELPER_REFUSED';
    banners.push(
      <div key="priv" className="vs-banner vs-banner-warn" role="alert" data-testid="helper-banner">
        <strong>{refused ? 'Permission was refused.' : 'Capturing needs privileges.'}</strong>{' '}
        {priv.error?.message ?? 'Without the helper, container namespaces cannot be entered and captures cannot start.'}{' '}
        {priv.error?.code && <code className="vs-code">{priv.error.code}</code>}
        <button type="button" onClick={onRetryHelper} disabled={retrying}>
          {retrying ? 'Asking…' : 'Retry'}
        </button>
      </div>,
    );
  }
  if (!banners.length) return null;
  return <div className="vs-banners">{banners}</div>;
}
