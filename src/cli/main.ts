// The downhill command: runs the command line (src/cli/command_line.ts) as this process, with the process-wide exit
// handlers (temp files removed, a closed stdout ends quietly), and exits with its code.
import { runCommandLine } from './command_line';
import { installExitHandlers } from './errors';

installExitHandlers();
runCommandLine(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}).finally(() => {
  // Dawn can keep the event loop alive for a moment after the device is destroyed.
  setTimeout(() => process.exit(), 1000).unref();
});
