// dockerode through sockwarden: listContainers, getContainer().inspect(), logs.
// Usage: node dockerode_test.js DOCKER_HOST CONTAINER_ID
// DOCKER_HOST is tcp://127.0.0.1:PORT or unix:///path. Prints one JSON object with what it saw.
'use strict';

const Docker = require('dockerode');

function client(host) {
  if (host.startsWith('unix://')) return new Docker({socketPath: host.slice(7)});
  const u = new URL(host.replace(/^tcp:/, 'http:'));
  return new Docker({host: u.hostname, port: Number(u.port), protocol: 'http'});
}

// dockerode returns a Buffer for non-follow logs: the multiplexed frames (8-byte headers).
function demux(buf) {
  const out = {stdout: '', stderr: ''};
  let off = 0;
  while (off + 8 <= buf.length) {
    const type = buf[off];
    const size = buf.readUInt32BE(off + 4);
    const payload = buf.subarray(off + 8, off + 8 + size).toString();
    if (type === 1) out.stdout += payload;
    else if (type === 2) out.stderr += payload;
    off += 8 + size;
  }
  return out;
}

async function main() {
  const [host, id] = process.argv.slice(2);
  const docker = client(host);
  const list = await docker.listContainers({all: true});
  const info = await docker.getContainer(id).inspect();
  const logs = await docker.getContainer(id).logs({stdout: true, stderr: true});
  const res = {
    listed: list.map((c) => c.Id),
    inspectId: info.Id,
    running: info.State.Running,
    logs: demux(Buffer.isBuffer(logs) ? logs : Buffer.from(logs)),
  };
  process.stdout.write(JSON.stringify(res) + '\n');
}

const timer = setTimeout(() => {
  console.error('dockerode test timed out');
  process.exit(2);
}, 30000);

main().then(
  () => clearTimeout(timer),
  (err) => {
    console.error('dockerode error:', err && (err.statusCode || ''), err && err.message);
    process.exit(1);
  },
);
