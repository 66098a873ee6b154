// `downhill info`: the WebGPU adapter, its limits and features.
import { acquireGpu } from '../../gpu/device';
import { parse } from '../args';

/** Runs the info command; returns the exit code. */
export async function infoCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean' } });
  const ctx = await acquireGpu();
  try {
    if (values.json) {
      process.stdout.write(JSON.stringify({ adapter: ctx.description, info: ctx.info, limits: ctx.limits, features: ctx.features }) + '\n');
      return 0;
    }
    console.log(`adapter: ${ctx.description}`);
    for (const [k, v] of Object.entries(ctx.info)) console.log(`  ${k}: ${v}`);
    console.log('limits:');
    for (const [k, v] of Object.entries(ctx.limits)) console.log(`  ${k}: ${v}`);
    console.log(`features: ${ctx.features.join(', ')}`);
    return 0;
  } finally {
    ctx.destroy();
  }
}
