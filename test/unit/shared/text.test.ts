import { describe, expect, it } from 'vitest';
import { printable, printableLines } from '../../../shared/text';

describe('printable', () => {
  it('escapes C0, DEL and C1 controls and leaves everything else, JSON included, alone', () => {
    expect(printable('vs\x1b[1mx')).toBe('vs\\x1b[1mx');
    expect(printable('a\x00b\x7fc\x9bd')).toBe('a\\x00b\\x7fc\\x9bd');
    expect(printable('eth0 é ✓ \\u001b "q"')).toBe('eth0 é ✓ \\u001b "q"');
    expect(printableLines('a\x1b\n\tb')).toBe('a\\x1b\n\tb');
  });
});
