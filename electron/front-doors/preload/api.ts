// What the preload exposes as window.vethscope: exactly { call, on } (shared/api.ts
// VethscopeApi). Pure, so a unit test can check it with a fake ipcRenderer.
import type { IpcRenderer } from 'electron';
import type { VethscopeApi } from '../../../shared/api';
import { IPC_CALL, IPC_EVENT, isApiEvent, isApiMethod } from '../../../shared/api-names';
import { fail } from '../../../shared/result';

type IpcLike = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

export function exposedApi(ipc: IpcLike): VethscopeApi {
  const api = {
    call: (method: unknown, input: unknown) =>
      isApiMethod(method) ? ipc.invoke(IPC_CALL, method, input) : Promise.resolve(fail('INVALID_INPUT', `unknown method: ${String(method).slice(0, 64)}`)),
    on: (event: unknown, listener: unknown) => {
      if (!isApiEvent(event)) throw new TypeError(`unknown event: ${String(event).slice(0, 64)}`);
      if (typeof listener !== 'function') throw new TypeError('listener must be a function');
      // The IpcRendererEvent (which carries `sender`) never reaches the page: only the payload does.
      const wrapped = (_e: unknown, name: unknown, payload: unknown) => {
        if (name === event) listener(payload);
      };
      ipc.on(IPC_EVENT, wrapped);
      return () => void ipc.removeListener(IPC_EVENT, wrapped);
    },
  };
  return Object.freeze(api) as VethscopeApi;
}
