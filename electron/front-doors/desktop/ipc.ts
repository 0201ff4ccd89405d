// The one IPC channel pair (shared/api.ts IPC_CALL/IPC_EVENT), as plain functions.
import type { IpcMainInvokeEvent } from 'electron';
import { apiEvents, isApiMethod, type ApiEvent, type ApiEventPayload } from '../../../shared/api';
import { fail, toErrorInfo, type Result } from '../../../shared/result';

export interface IpcBackend {
  call(method: unknown, input: unknown): Promise<Result<unknown>>;
  on<E extends ApiEvent>(event: E, listener: (payload: ApiEventPayload<E>) => void): () => void;
}

/** The ipcMain.handle(IPC_CALL, …) handler: sender check, method check, then backend.call (which validates input). Never throws. */
export function makeIpcCallHandler(backend: IpcBackend, isTrusted: (event: IpcMainInvokeEvent) => boolean) {
  return async (event: IpcMainInvokeEvent, method: unknown, input: unknown): Promise<Result<unknown>> => {
    if (!isTrusted(event)) return fail('PERMISSION_DENIED', 'IPC call from a frame that is not the vethscope renderer');
    if (!isApiMethod(method)) return fail('INVALID_INPUT', `unknown method: ${String(method).slice(0, 64)}`);
    try {
      return await backend.call(method, input);
    } catch (err) {
      return { ok: false, error: toErrorInfo(err) };
    }
  };
}

/** Forward every backend event to `send` (webContents.send(IPC_EVENT, name, payload)); returns unsubscribe. */
export function forwardEvents(backend: IpcBackend, send: (event: ApiEvent, payload: unknown) => void): () => void {
  const offs = (Object.keys(apiEvents) as ApiEvent[]).map((event) => backend.on(event, (payload) => send(event, payload)));
  return () => offs.forEach((off) => off());
}
