/** Output sinks, so tests can capture what a command prints. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  isTTY: boolean;
}

export const processIo: CliIo = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  isTTY: Boolean(process.stderr.isTTY),
};

/** Thrown to end a command with an exit status and a message for stderr. */
export class CliExit extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
