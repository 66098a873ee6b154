// The downhill command line as a function: dispatches to the commands and turns errors into messages and exit codes.
// src/cli/main.ts runs it as the process; the tests run it in their own process too (test/helpers/cli.ts).
import pkg from '../../package.json';
import { didYouMean } from '../core/options';
import { quoteValue } from '../data/csv';
import { UsageError } from './args';
import { report } from './errors';

/** The package version (package.json, bundled). */
const VERSION: string = pkg.version;

const INFO_USAGE = `downhill info [--adapter NAME|INDEX] [--json]   a WebGPU adapter (default: Dawn's first), its limits and features
downhill info --adapters [--json]   every WebGPU adapter with the index --adapter takes (and Vulkan's PCI addresses)`;

/** A command: what runs it and its help. */
interface Command {
  run: (argv: string[]) => Promise<number>;
  usage: string;
}

/**
 * Each command, loaded when it is asked for (its module and what only it needs are separate chunks of the bundle):
 * a CPU train does not parse the GPU, Parquet, benchmark or generator code.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  train: async () => import('./commands/train').then((m) => ({ run: m.trainCommand, usage: m.TRAIN_USAGE })),
  launch: async () => import('./commands/launch').then((m) => ({ run: m.launchCommand, usage: m.LAUNCH_USAGE })),
  bench: async () => import('./commands/bench').then((m) => ({ run: m.benchCommand, usage: m.BENCH_USAGE })),
  predict: async () => import('./commands/predict').then((m) => ({ run: m.predictCommand, usage: m.PREDICT_USAGE })),
  convert: async () => import('./commands/convert').then((m) => ({ run: m.convertCommand, usage: m.CONVERT_USAGE })),
  gen: async () => import('./commands/gen').then((m) => ({ run: m.genCommand, usage: m.GEN_USAGE })),
  demo: async () => import('./commands/demo').then((m) => ({ run: m.demoCommand, usage: m.DEMO_USAGE })),
  info: async () => import('./commands/info').then((m) => ({ run: m.infoCommand, usage: INFO_USAGE })),
};

/** The whole help: every command's, in the order above. */
async function usage(): Promise<string> {
  const parts = await Promise.all(Object.entries(COMMANDS).map(async ([name, load]) => (name === 'info' ? INFO_USAGE : (await load()).usage)));
  return `downhill — gradient descent on the GPU through WebGPU\n\n${parts.join('\n\n')}\n\ndownhill <command> --help   one command's help;   downhill --version`;
}

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
    console.log(topic ? (await COMMANDS[topic]()).usage : await usage());
    return cmd ? 0 : 2;
  }
  if (!COMMANDS[cmd]) throw unknownCommand(cmd);
  const command = await COMMANDS[cmd]();
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

/** Runs `downhill …argv` and returns its exit code; an error is reported on stderr as the CLI reports it. */
export async function runCommandLine(argv: string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (e) {
    const cmd = argv[0];
    return report(e, cmd && COMMANDS[cmd] ? cmd : undefined);
  }
}

/** What the end of a CLI process does besides exiting: removes the temp files still open (a failed command's). */
export { removeLiveTemps as endOfCommand } from '../data/atomic';
