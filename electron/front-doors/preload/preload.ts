// Sandboxed preload (bundled to dist/preload.cjs, self-contained: only 'electron' is required).
import { contextBridge, ipcRenderer } from 'electron';
import { exposedApi } from './api';

contextBridge.exposeInMainWorld('vethscope', exposedApi(ipcRenderer));
