// The downhill command line: dispatches to the commands and turns errors into messages and exit codes.
import pkg from '../../package.json';
import { didYouMean } from '../core/options';
import { quoteValue } from '../data/csv';
import { UsageError } from './args';
import { BENCH_USAGE, benchCommand } from './commands/bench';
import { CONVERT_USAGE, convertCommand } from './commands/convert';
import { GEN_USAGE, genCommand } from './commands/gen';
import { DEMO_USAGE, demoCommand } from './commands/demo';
import { infoCommand } from './commands/info';
import { LAUNCH_USAGE, launchCommand } from './commands/launch';
import { PREDICT_USAGE, predictCommand } from './commands/predict';
import { TRAIN_USAGE, trainCommand } from './commands/train';
import { installExitHandlers, report } from './errors';

const USAGE = `downhill — gradient descent on the GPU through WebGPU

${TRAIN_USAGE}

${LAUNCH_USAGE}

${BENCH_USAGE}

${PREDICT_USAGE}

${CONVERT_USAGE}

${GEN_USAGE}

${DEMO_USAGE}

downhill info [--json]   the WebGPU adapter, its limits and features

downhill <command> --help   one command's help;   downhill --version`;

/** The package version (package.json, bundled). */
const VERSION: string = pkg.version;

const INFO_USAGE = 'downhill info [--json]   the WebGPU adapter, its limits and features';

/** Each command: what runs it and its help. */
const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; usage: string }> = {
  train: { run: trainCommand, usage: TRAIN_USAGE }, bench: { run: benchCommand, usage: BENCH_USAGE },
  predict: { run: predictCommand, usage: PREDICT_USAGE }, convert: { run: convertCommand, usage: CONVERT_USAGE },
  gen: { run: genCommand, usage: GEN_USAGE }, demo: { run: demoCommand, usage: DEMO_USAGE }, info: { run: infoCommand, usage: INFO_USAGE },
  launch: { run: launchCommand, usage: LAUNCH_USAGE },
};

const HELP = new Set(['--help', '-h']);

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === '--version' || cmd === '-V' || cmd === 'version') {
    console.log(`downhill ${VERSION}`);
    return 0;
  }
  if (!cmd || cmd === 'help' || HELP.has(cmd)) {
    const topic = cmd === 'help' ? rest[0] : undefined;
    if (topic !== undefined && !COMMANDS[topic]) throw unknownCommand(topic);
    console.log(topic ? COMMANDS[topic].usage : USAGE);
    return cmd ? 0 : 2;
  }
  const command = COMMANDS[cmd];
  if (!command) throw unknownCommand(cmd);
  // `downhill train --help`: the command's help, whatever else is on the line (up to a `--`).
  const end = rest.indexOf('--');
  if ((end < 0 ? rest : rest.slice(0, end)).some((a) => HELP.has(a))) {
    console.log(command.usage);
    return 0;
  }
  return command.run(rest);
}

function unknownCommand(cmd: string): UsageError {
  const names = Object.keys(COMMANDS);
  return new UsageError(`unknown command ${quoteValue(cmd)}${didYouMean(cmd, names)}; commands: ${names.join(', ')}`);
}

installExitHandlers();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const cmd = process.argv[2];
    process.exitCode = report(e, cmd && COMMANDS[cmd] ? cmd : undefined);
  },
).finally(() => {
  // Dawn can keep the event loop alive for a moment after the device is destroyed.
  setTimeout(() => process.exit(), 1000).unref();
});
