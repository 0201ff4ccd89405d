// A monotonic clock without `performance`: the first use of that global loads node:perf_hooks
// (~2 ms), which `vethscope topology` would otherwise pay only to time itself.
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;
export const monotonicSec = (): number => monotonicMs() / 1000;
