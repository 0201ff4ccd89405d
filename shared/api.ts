// The typed API between the renderer (or any front door) and the backend.
// One map of methods, each with its input and output schema: Electron IPC,
// browser mode (HTTP + WebSocket) and the CLI all dispatch through it.
import * as z from 'zod';
import { builtOnFirstUse, builtPerKey } from './lazy';
import { Container, HostId, HostStatus, Topology } from './topology';
import { API_EVENT_NAMES, API_METHOD_NAMES, type ApiEventName, type ApiMethodName } from './api-names';
import { CaptureInfo, CaptureRequest, PacketSummary } from './capture';
import { RatesSample } from './rates';
import { Diagnostics } from './diagnostics';
import type { Result } from './result';

const Empty = builtOnFirstUse(() => z.object({}).strict());
const CaptureId = builtOnFirstUse(() => z.object({ id: z.string().min(1).max(128) }).strict());

export const BackendStatus = builtOnFirstUse(() => z.object({
  version: z.string(),
  docker: z.object({ available: z.boolean(), error: z.object({ code: z.string(), message: z.string() }).optional() }),
  privileged: z.object({
    available: z.boolean(),
    mode: z.enum(['root', 'helper', 'none']),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  }),
  capturesDir: z.string(),
  /** What the desktop can launch (Wireshark, a file manager); `reason`: why one cannot (no display, not installed). */
  launchers: z.object({ wireshark: z.boolean(), fileManager: z.boolean(), reason: z.string().optional() }),
}));
export type BackendStatus = z.infer<typeof BackendStatus>;

/** One host's map: its status, its topology (null until it first answered) and the rates of its last two refreshes. */
export const HostTopology = builtOnFirstUse(() => z.object({ host: HostStatus, topology: Topology.nullable(), rates: RatesSample.nullable() }));
export type HostTopology = z.infer<typeof HostTopology>;

export const RateHistoryPoint = builtOnFirstUse(() => z.object({ time: z.number(), rxBytesPerSec: z.number(), txBytesPerSec: z.number() }));

export const apiMethods = builtPerKey({
  getStatus: () => ({ input: Empty, output: BackendStatus }),
  getTopology: () => ({ input: Empty, output: Topology }),
  /** One container by name or id prefix: NOT_FOUND / AMBIGUOUS otherwise. */
  findContainer: () => ({ input: z.object({ query: z.string().min(1).max(256) }).strict(), output: Container }),
  /** Start the privileged helper again after a refused or failed prompt. */
  retryHelper: () => ({ input: Empty, output: BackendStatus }),
  validateFilter: () => ({ input: z.object({ filter: z.string().max(4096) }).strict(), output: z.object({ valid: z.literal(true) }) }),
  startCapture: () => ({ input: CaptureRequest, output: CaptureInfo }),
  stopCapture: () => ({ input: CaptureId, output: CaptureInfo }),
  listCaptures: () => ({ input: Empty, output: z.array(CaptureInfo) }),
  getPackets: () => ({ input: CaptureId, output: z.array(PacketSummary) }),
  deleteCapture: () => ({ input: CaptureId, output: z.object({ deleted: z.array(z.string()) }) }),
  /** Copy a finished capture's file to a path the user chose. */
  saveCaptureAs: () => ({ input: CaptureId.extend({ path: z.string().min(1).max(4096) }), output: z.object({ path: z.string() }) }),
  openCapture: () => ({
    /** wireshark: the file; wireshark-live: a running capture's targets, live, through vethscope's extcap; folder: the file manager. */
    input: CaptureId.extend({ with: z.enum(['wireshark', 'wireshark-live', 'folder']) }),
    /** launched:false says why in `reason` (no display on the host vethscope runs on, nothing installed, it failed). */
    output: z.object({ launched: z.boolean(), reason: z.string().optional() }),
  }),
  getRates: () => ({ input: Empty, output: RatesSample.nullable() }),
  /** Whether rates are being sampled, and what went wrong in the last tick. */
  getRatesStatus: () => ({ input: Empty, output: z.object({ sampling: z.boolean(), errors: z.array(z.string()) }) }),
  /** What `vethscope doctor` shows: how the helper will start, engines, tools, captures folder; problems with fixes. */
  getDiagnostics: () => ({ input: Empty, output: Diagnostics }),
  getRateHistory: () => ({
    input: z.object({ netns: z.number().int(), name: z.string().max(16), seconds: z.number().int().min(1).max(3600) }).strict(),
    output: z.array(RateHistoryPoint),
  }),
  /** Every host (local first), with its status: reachable, last error, latency. */
  listHosts: () => ({ input: Empty, output: z.array(HostStatus) }),
  /** Add a remote Docker host by ssh://[user@]host[:port] (or [user@]host[:port]); its discovery starts at once. */
  addHost: () => ({ input: z.object({ url: z.string().min(1).max(320) }).strict(), output: HostStatus }),
  removeHost: () => ({ input: z.object({ id: HostId }).strict(), output: z.object({ removed: z.boolean() }) }),
  /**
   * Every remote host's map (the local one is getTopology). `refresh`: a round trip to each now (each
   * bounded by its own timeout: a slow host answers with its last map and its error, never holds up the others).
   */
  getHostTopologies: () => ({ input: z.object({ refresh: z.boolean().optional() }).strict(), output: z.array(HostTopology) }),
  /** A container by what a person types, on every host named (default: all, local included): every host's match; NOT_FOUND when none. */
  findOnHosts: () => ({
    input: z.object({ query: z.string().min(1).max(256), hosts: z.array(HostId).max(64).optional() }).strict(),
    output: z.array(z.object({ host: z.string(), container: Container })),
  }),
});

export type ApiMethod = keyof typeof apiMethods;
export type ApiInput<M extends ApiMethod> = z.input<(typeof apiMethods)[M]['input']>;
export type ApiOutput<M extends ApiMethod> = z.output<(typeof apiMethods)[M]['output']>;

/** Pushed from backend to every front door. */
export const apiEvents = builtOnFirstUse(() => ({
  topology: Topology,
  capture: CaptureInfo,
  packets: z.object({ id: z.string(), packets: z.array(PacketSummary) }),
  rates: RatesSample,
  status: BackendStatus,
  /** Remote hosts' maps, whenever one changed (status, topology or rates). */
  hosts: z.array(HostTopology),
} as const));
export type ApiEvent = keyof typeof apiEvents;
export type ApiEventPayload<E extends ApiEvent> = z.output<(typeof apiEvents)[E]>;

/** What the preload exposes as `window.vethscope`, and what browser mode's client implements. */
export interface VethscopeApi {
  call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<Result<ApiOutput<M>>>;
  /** Returns an unsubscribe function. */
  on<E extends ApiEvent>(event: E, listener: (payload: ApiEventPayload<E>) => void): () => void;
}

export { isApiEvent, isApiMethod, IPC_CALL, IPC_EVENT } from './api-names';

// The schemas cover exactly the names the preload knows, both ways (a compile error otherwise).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const methodsMatch: Same<ApiMethod, ApiMethodName> = true;
const eventsMatch: Same<ApiEvent, ApiEventName> = true;
void [methodsMatch, eventsMatch, API_METHOD_NAMES, API_EVENT_NAMES];
