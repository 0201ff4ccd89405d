// How our summary is compared with tshark's columns.

export const TRUNC = '[Packet size limited during capture]';

/**
 * Remove what legitimately differs: tshark's analysis prefixes ("[TCP Retransmission] ")
 * and its stateful TCP numbers (relative Seq/Ack, scaled Win; we print header values),
 * and the spacing before a truncation note.
 */
export function normalizeInfo(info: string): string {
  return info
    .replace(/^(\[TCP [^\]]+\] )+/, '')
    .replace(/ (Seq|Ack|Win)=\d+/g, '')
    .replace(/\s*\[Packet size limited during capture\]/, ` ${TRUNC}`)
    .trim();
}
