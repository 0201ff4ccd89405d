// The program Wireshark runs (dist/extcap.cjs, through the launcher `vethscope extcap
// install` puts in its extcap folder). Wireshark starts it to list interfaces, then once
// per interface for its options, on every start and before every capture: this bundle
// holds only the listing (no Backend, no dockerode, no zod) and answers those calls by
// itself. Anything else (a capture, a filter check, a listing only the Backend can make)
// goes to the full `vethscope extcap` command, loaded into this same process.
import { join } from 'node:path';
import { vethscopeVersion } from '../../util/package-root';
import { answerListingCall } from './answer';
import { parseExtcapArgs } from './args';
import { listHere, readCache, writeCache } from './listing';

interface FullCli {
  runCli(argv: string[]): Promise<number>;
}

/** Wireshark waits for this process: once its answer is written, nothing else may hold it up. */
function exit(status: number): void {
  process.exitCode = status;
  process.stdout.write('', () => process.exit(status));
}

async function run(argv: string[]): Promise<void> {
  const answer = await answerListingCall(parseExtcapArgs(argv), vethscopeVersion(), {
    here: () => listHere(),
    readCache: () => readCache(),
    writeCache: (c, host) => writeCache(c, process.env, Date.now(), host),
    backend: null,
    warn: (m) => process.stderr.write(`vethscope extcap: ${m}\n`),
  });
  if (answer !== 'needs-backend') {
    if (answer.out) process.stdout.write(answer.out);
    if (answer.err) process.stderr.write(answer.err);
    return exit(answer.status);
  }
  // The CLI bundle sits beside this one (dist/cli.cjs), in a checkout and in the packages alike.
  const cli = require(join(__dirname, 'cli.cjs')) as FullCli;
  exit(await cli.runCli(['extcap', ...argv]));
}

/** What the launcher calls: answers one call of Wireshark's, then exits. */
export function main(argv: string[]): Promise<void> {
  return run(argv).catch((err: Error) => {
    process.stderr.write(`vethscope extcap: ${err.stack ?? String(err)}\n`);
    exit(1);
  });
}

if (require.main === module) void main(process.argv.slice(2));
