// The downhill command line: dispatches to the commands and turns errors into messages and exit codes.
import { quoteValue } from '../data/csv';
import { UsageError } from './args';
import { BENCH_USAGE, benchCommand } from './commands/bench';
import { CONVERT_USAGE, convertCommand } from './commands/convert';
import { GEN_USAGE, genCommand } from './commands/gen';
import { DEMO_USAGE, demoCommand } from './commands/demo';
import { infoCommand } from './commands/info';
import { PREDICT_USAGE, predictCommand } from './commands/predict';
import { TRAIN_USAGE, trainCommand } from './commands/train';
import { installExitHandlers, report } from './errors';

const USAGE = `downhill — gradient descent on the GPU through WebGPU

${TRAIN_USAGE}

${BENCH_USAGE}

${PREDICT_USAGE}

${CONVERT_USAGE}

${GEN_USAGE}

${DEMO_USAGE}

downhill info [--json]   the WebGPU adapter, its limits and features`;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  train: trainCommand, bench: benchCommand, info: infoCommand, demo: demoCommand, convert: convertCommand, gen: genCommand, predict: predictCommand,
};

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    console.log(USAGE);
    return cmd ? 0 : 2;
  }
  const run = COMMANDS[cmd];
  if (!run) throw new UsageError(`unknown command ${quoteValue(cmd)}; commands: ${Object.keys(COMMANDS).join(', ')}`);
  return run(rest);
}

installExitHandlers();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.exitCode = report(e);
  },
).finally(() => {
  // Dawn can keep the event loop alive for a moment after the device is destroyed.
  setTimeout(() => process.exit(), 1000).unref();
});
