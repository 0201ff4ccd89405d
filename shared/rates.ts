// Live traffic rates computed from kernel interface counters.
import * as z from 'zod';
import { builtOnFirstUse } from './lazy';

export const InterfaceRate = builtOnFirstUse(() => z.object({
  netns: z.number().int(),
  name: z.string(),
  rxBytesPerSec: z.number(),
  txBytesPerSec: z.number(),
  rxPacketsPerSec: z.number(),
  txPacketsPerSec: z.number(),
  rxErrors: z.number(),
  txErrors: z.number(),
  rxDropped: z.number(),
  txDropped: z.number(),
}));
export type InterfaceRate = z.infer<typeof InterfaceRate>;

/** Rates seen from the container's side: rx is what the container received. */
export const ContainerRate = builtOnFirstUse(() => z.object({
  id: z.string(),
  name: z.string(),
  rxBytesPerSec: z.number(),
  txBytesPerSec: z.number(),
  rxPacketsPerSec: z.number(),
  txPacketsPerSec: z.number(),
}));
export type ContainerRate = z.infer<typeof ContainerRate>;

export const RatesSample = builtOnFirstUse(() => z.object({
  /** Seconds since the epoch. */
  time: z.number(),
  intervalSec: z.number(),
  interfaces: z.array(InterfaceRate),
  containers: z.array(ContainerRate),
}));
export type RatesSample = z.infer<typeof RatesSample>;
