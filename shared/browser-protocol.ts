// Browser mode's wire protocol (served by electron/front-doors/browser, spoken by renderer/src/api).
// The page URL carries the token: http://127.0.0.1:PORT/?token=TOKEN
// - calls:     POST /api/call/METHOD   body: JSON input   header TOKEN_HEADER   -> Result JSON (always 200 once authorised)
// - events:    WebSocket /api/events?token=TOKEN           server -> client: {"event": NAME, "payload": ...}
// - downloads: GET /api/captures/ID/file?token=TOKEN        the capture file (Save as... in a browser)
// Anything without the right token is refused (401 no token, 403 wrong token);
// a Host or Origin that is not loopback is refused with 403 (DNS rebinding).
export const TOKEN_QUERY = 'token';
export const TOKEN_HEADER = 'x-vethscope-token';
export const CALL_PATH = '/api/call/';
export const EVENTS_PATH = '/api/events';
export const CAPTURE_FILE_PATH = (id: string) => `/api/captures/${encodeURIComponent(id)}/file`;

export interface EventMessage {
  event: string;
  payload: unknown;
}
