import { printableLines } from '../../../shared/text';

/** Output sinks, so tests can capture what a command prints. */
export interface CliIo {
  /** A line (or lines) of text: control characters in it are shown escaped, never obeyed. */
  out(text: string): void;
  err(text: string): void;
  /** Our own terminal control sequences (redraws), written as they are, to stderr (default) or stdout. */
  raw?(text: string, to?: 'out' | 'err'): void;
  isTTY: boolean;
}

const line = (t: string) => printableLines(t.endsWith('\n') ? t.slice(0, -1) : t) + '\n';

export const processIo: CliIo = {
  out: (t) => process.stdout.write(line(t)),
  err: (t) => process.stderr.write(line(t)),
  raw: (t, to = 'err') => (to === 'out' ? process.stdout : process.stderr).write(t),
  isTTY: Boolean(process.stderr.isTTY),
};

/** Every usage error (a bad option or argument, a container not found or ambiguous) exits with this. */
export const EXIT_USAGE = 2;

/** Thrown to end a command with an exit status and a message for stderr. */
export class CliExit extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
