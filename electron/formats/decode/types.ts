// Shared shapes for the decoder layers.

export interface Summary {
  src: string;
  dst: string;
  protocol: string;
  info: string;
}

/** What the IP layer hands to the transport decoders. */
export interface IpContext {
  src: string;
  dst: string;
  /** TTL (IPv4) or hop limit (IPv6). */
  ttl: number;
  /** Payload bytes per the IP header (may exceed what was captured). */
  payloadLen: number;
  /** Wire length of the whole frame: tells a snaplen cut from a malformed packet. */
  origLen: number;
}

/**
 * Mark a summary as cut short, in Wireshark's words: a snaplen cut is
 * "[Packet size limited during capture]", anything else "[Malformed Packet]".
 */
export function cutShort(s: Summary, data: Buffer, origLen: number): Summary {
  const note = data.length < origLen ? '[Packet size limited during capture]' : '[Malformed Packet]';
  return { ...s, info: s.info ? `${s.info} ${note}` : note };
}
