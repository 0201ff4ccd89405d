// Whether pushed events can arrive: browser mode's WebSocket may be down a while.
export interface Connection {
  connected(): boolean;
  /** Returns an unsubscribe function. */
  onChange(listener: (connected: boolean) => void): () => void;
}

/** Electron's IPC never disconnects. */
export const alwaysConnected: Connection = { connected: () => true, onChange: () => () => undefined };
