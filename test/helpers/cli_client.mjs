// The thread that keeps a test file's CLI command server (cli_server.mjs) for test/helpers/cli.ts: the test's own
// thread waits (Atomics.wait) while this one sends the request, and the result comes back on a MessagePort, so a
// test calls the CLI synchronously. This thread starts the server on first use and again after one died, and kills it
// when a command runs past its timeout.
import { spawn } from 'node:child_process';
import { parentPort, workerData } from 'node:worker_threads';

const { flag, port, server: SERVER } = workerData;
let server;

function reply(result) {
  port.postMessage(result);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

parentPort.on('message', (request) => {
  if (!server || server.exitCode !== null || server.signalCode !== null) {
    server = spawn(process.execPath, [SERVER], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  }
  const child = server;
  const timer = setTimeout(() => child.kill('SIGKILL'), request.timeout);
  const onExit = (code, signal) => {
    clearTimeout(timer);
    child.off('message', onMessage);
    reply({ died: { code, signal } });
  };
  const onMessage = (result) => {
    clearTimeout(timer);
    child.off('exit', onExit);
    reply(result);
  };
  child.once('message', onMessage);
  child.once('exit', onExit);
  child.send(request);
});
