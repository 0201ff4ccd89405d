// The API's method and event names, and the IPC channels, without any schema: what
// the sandboxed preload needs to expose `{call, on}` (it must stay a few kB, so no zod).
// shared/api.ts checks at compile time that its schemas cover exactly these names.

export const API_METHOD_NAMES = [
  'getStatus',
  'getTopology',
  'findContainer',
  'retryHelper',
  'validateFilter',
  'startCapture',
  'stopCapture',
  'listCaptures',
  'getPackets',
  'deleteCapture',
  'saveCaptureAs',
  'openCapture',
  'getRates',
  'getRatesStatus',
  'getRateHistory',
  'getDiagnostics',
  'listHosts',
  'addHost',
  'removeHost',
  'getHostTopologies',
  'findOnHosts',
] as const;

export const API_EVENT_NAMES = ['topology', 'capture', 'packets', 'rates', 'status', 'hosts'] as const;

export type ApiMethodName = (typeof API_METHOD_NAMES)[number];
export type ApiEventName = (typeof API_EVENT_NAMES)[number];

const METHODS: ReadonlySet<string> = new Set(API_METHOD_NAMES);
const EVENTS: ReadonlySet<string> = new Set(API_EVENT_NAMES);

export const isApiMethod = (name: unknown): name is ApiMethodName => typeof name === 'string' && METHODS.has(name);
export const isApiEvent = (name: unknown): name is ApiEventName => typeof name === 'string' && EVENTS.has(name);

/** IPC channel names: one for calls, one for events. */
export const IPC_CALL = 'vethscope:call';
export const IPC_EVENT = 'vethscope:event';
