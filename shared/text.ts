// Names from the kernel and from container engines are not text we wrote: an interface
// name may hold ESC (Linux allows any byte but '/', ':', whitespace and NUL), and a
// terminal, a log or Wireshark's interface list would obey it. Everything shown to a
// person goes through `printable`.

const escaped = (c: string) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

/** C0 and C1 control characters and DEL as \xHH (text that holds none, JSON included, is unchanged). */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, escaped);
}

/** Like `printable`, but keeps line breaks and tabs (for multi-line text). */
export function printableLines(s: string): string {
  // One pass over the whole text (a 100-container topology --json is ~1 MB: per line cost ~19 ms).
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, escaped);
}

/**
 * Code-point order for sorting names. Not localeCompare: its first call loads ICU's collator,
 * 12-18 ms of a command's start-up (measured in `vethscope topology` and the extcap listing).
 */
export const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
