// The link's own ceiling for bench/dist_scaling.sh: plain Node sockets on loopback, no frames, no collective — one
// process sends SIZE bytes, the other answers one byte when they have all arrived. Prints ms per round trip, GB/s and
// the CPU time of both ends per call. Usage: node bench/loopback.mjs [bytes ...]
import net from 'node:net';

const sizes = process.argv.slice(2).map(Number);
const srv = net.createServer((s) => {
  s.setNoDelay(true);
  let want = 0;
  let got = 0;
  s.on('data', (c) => {
    if (want === 0) want = c.readUInt32LE(0);
    got += c.length;
    if (got >= want) {
      got = 0;
      want = 0;
      s.write(Buffer.alloc(1));
    }
  });
});
srv.listen(0, '127.0.0.1', async () => {
  const c = net.connect(srv.address().port, '127.0.0.1');
  c.setNoDelay(true);
  await new Promise((r) => c.once('connect', r));
  console.log('loopback, plain sockets: bytes one way, then a 1-byte answer');
  for (const n of sizes.length ? sizes : [512, 65536, 1 << 20, 4 << 20, 16 << 20]) {
    const buf = Buffer.alloc(Math.max(4, n));
    buf.writeUInt32LE(buf.length, 0);
    const calls = n >= 4 << 20 ? 20 : 200;
    const ms = [];
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < calls; i++) {
      const t = performance.now();
      c.write(buf);
      await new Promise((r) => c.once('data', r));
      ms.push(performance.now() - t);
    }
    const cpu = process.cpuUsage(cpu0);
    ms.sort((a, b) => a - b);
    const med = ms[calls >> 1];
    console.log(`${String(n).padStart(9)} B  median ${med.toFixed(3)} ms  best ${ms[0].toFixed(3)} ms  ${(n / med / 1e6).toFixed(3)} GB/s  CPU ${((cpu.user + cpu.system) / 1000 / calls).toFixed(3)} ms/call`);
  }
  process.exit(0);
});
