// Node's command-line flags for the processes that idle while a capture runs: the CLI (its #!
// line, bin/vethscope.cjs), the root helper (its launch plan, and the installed helper's #!
// line) and Wireshark's extcap (its launcher). Without it, V8's memory reducer runs full GCs of
// their small heaps every few seconds while they wait (measured: 44 of an idle helper's 48 ms
// of CPU over 8 s). On the command line, not set at run time: a V8 flag changed at run time
// makes every later built-in module compile without node's code cache (+20 ms at start), and
// this one does not count.
export const NODE_IDLE_FLAG = '--no-memory-reducer';
