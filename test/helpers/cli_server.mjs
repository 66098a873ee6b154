// A process that runs many `downhill` command lines, one at a time, for test/helpers/cli.ts: the built CLI's command
// line as a function (dist/cli/command_line.js, the same bundle as dist/cli.js) instead of one Node process a command,
// which spared ~0.3 CPU-s of start, bundle load and exit per command on the 2-core test machine.
//
// Protocol, over the IPC channel of the process that started it (test/helpers/cli_client.mjs): a request
// { args, cwd, env } in, one result { code, stdout, stderr } (or { crashed }) out, one command at a time. What a CLI
// process does at its end runs after every command: temp files still open are removed, the exit code, the environment
// and the working directory are put back. The client kills this process when a command runs past its timeout; this
// process exits when the client is gone.
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const { runCommandLine, endOfCommand } = await import(new URL('../../dist/cli/command_line.js', import.meta.url).href);

const home = process.cwd();
const baseEnv = { ...process.env };
const realWrite = { out: process.stdout.write, err: process.stderr.write };

function capture(stream, sink) {
  stream.write = (chunk, encoding, callback) => {
    sink.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') queueMicrotask(() => done());
    return true;
  };
}

async function runOne(request) {
  const out = [];
  const err = [];
  for (const k of Object.keys(process.env)) if (!(k in baseEnv)) delete process.env[k];
  Object.assign(process.env, baseEnv, request.env ?? {});
  process.chdir(request.cwd ?? home);
  process.argv = [process.execPath, CLI, ...request.args];
  process.exitCode = undefined;
  capture(process.stdout, out);
  capture(process.stderr, err);
  let code;
  try {
    code = await runCommandLine(request.args);
  } finally {
    endOfCommand();
    process.stdout.write = realWrite.out;
    process.stderr.write = realWrite.err;
    process.chdir(home);
    process.exitCode = undefined;
  }
  return { code, stdout: out.join(''), stderr: err.join('') };
}

process.on('disconnect', () => process.exit(0));
process.on('message', async (request) => {
  let result;
  try {
    result = await runOne(request);
  } catch (e) {
    result = { crashed: String(e && e.stack ? e.stack : e) };
  }
  process.send(result);
});
