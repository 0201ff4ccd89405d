// zod compiles each object schema into a function (`new Function`) the first time it parses: worth
// it where one schema parses thousands of times (the desktop app, browser mode), not in a process
// that parses each a few times and exits (a CLI command, the extcap's capture, the helper): there
// each compiled parser runs once or twice. A capture's CLI, to one second into the capture: 113.5 ->
// 108 ms of CPU (median of 16 runs each, ABBA order). Results are the same either way.
import * as z from 'zod';

/** From now on, schemas built in this process parse without compiled code. Call before any is built. */
export function useOneShotParsing(): void {
  z.config({ jitless: true });
}
