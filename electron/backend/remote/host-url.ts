// A remote host as a person names it: ssh://[user@]host[:port] (or the same without the
// scheme, or a ~/.ssh/config alias). Everything here ends up as an ssh argument, so it is
// checked against a strict grammar: no word that ssh could read as an option, nothing a
// shell would interpret.
import { LOCAL_HOST, REMOTE_HOST_ID } from '../../../shared/topology';
import { CodedError } from '../../../shared/result';

export interface HostAddress {
  /** `[user@]host[:port]`: what the API and the CLI call it. */
  id: string;
  /** The host part: what labels say. */
  name: string;
  user: string | null;
  host: string;
  port: number | null;
  /** ssh://id */
  url: string;
}

/** Parse and validate; INVALID_INPUT with what was expected otherwise. */
export function parseHostUrl(input: string): HostAddress {
  const text = input.trim();
  const bare = text.startsWith('ssh://') ? text.slice('ssh://'.length).replace(/\/$/, '') : text;
  if (text.includes('://') && !text.startsWith('ssh://')) throw new CodedError('INVALID_INPUT', `"${shown(text)}": only ssh:// hosts are supported`);
  if (!bare || bare === LOCAL_HOST || !REMOTE_HOST_ID.test(bare))
    throw new CodedError('INVALID_INPUT', `"${shown(text)}" is not a host: expected ssh://[user@]host[:port] (letters, digits, dots and dashes)`);
  const at = bare.indexOf('@');
  const user = at >= 0 ? bare.slice(0, at) : null;
  const rest = at >= 0 ? bare.slice(at + 1) : bare;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(rest);
  if (!m) throw new CodedError('INVALID_INPUT', `"${shown(text)}" is not a host`);
  const host = m[1]!;
  const port = m[2] !== undefined ? Number(m[2]) : null;
  if (port !== null && (port < 1 || port > 65535)) throw new CodedError('INVALID_INPUT', `"${shown(text)}": port ${port} is out of range`);
  const normalPort = port === 22 ? null : port;
  const id = `${user ? `${user}@` : ''}${host}${normalPort ? `:${normalPort}` : ''}`;
  return { id, name: host.replace(/^\[|\]$/g, ''), user, host: host.replace(/^\[|\]$/g, ''), port: normalPort, url: `ssh://${id}` };
}

/** The word ssh gets as its destination (after `--`, so it can never be an option). */
export function sshDestination(a: HostAddress): string {
  return a.user ? `${a.user}@${a.host}` : a.host;
}

const shown = (s: string) => s.slice(0, 80).replace(/[^\x20-\x7e]/g, '?');
