// Imported first by the processes that mostly wait (the root helper, Wireshark's extcap; the CLI's
// launcher does the same in bin/load-bundle.cjs). Eight seconds after start-up V8's memory reducer
// runs full GCs on a heap that holds no garbage, and again every few seconds while the process
// idles: measured, 44 ms of an idle helper's CPU in an 8 s capture, 4 ms with this off. Only the
// trigger for a heap that never had a full GC goes; after one, V8 shrinks the heap as before.
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--no-memory-reducer-for-small-heaps');
