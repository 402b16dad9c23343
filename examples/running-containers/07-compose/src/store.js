// A minimal Redis client: RESP, the protocol Redis speaks, over one TCP connection per command.
// A real project would use the `redis` package from npm; this example has no dependencies, so it
// builds without downloading anything, and the few commands it needs fit in this file.
import net from 'node:net';

// The data store cannot be reached (stopped, not resolvable, too slow): the API answers 503.
export class StoreUnavailable extends Error {}

// A command as RESP sends it: an array of bulk strings.
export function encode(args) {
  let out = `*${args.length}\r\n`;
  for (const arg of args) {
    const text = String(arg);
    out += `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
  }
  return out;
}

// One reply from `buf` at `pos`: [value, next position], or null while it is incomplete.
// An error reply (`-ERR …`) becomes an Error value.
export function parse(buf, pos = 0) {
  const eol = buf.indexOf('\r\n', pos);
  if (eol < 0) return null;
  const type = String.fromCharCode(buf[pos]);
  const line = buf.toString('utf8', pos + 1, eol);
  const next = eol + 2;
  if (type === '+') return [line, next];
  if (type === '-') return [new Error(line), next];
  if (type === ':') return [Number(line), next];
  if (type === '$') {
    const length = Number(line);
    if (length < 0) return [null, next];
    if (buf.length < next + length + 2) return null;
    return [buf.toString('utf8', next, next + length), next + length + 2];
  }
  if (type === '*') {
    const count = Number(line);
    if (count < 0) return [null, next];
    const items = [];
    let at = next;
    for (let i = 0; i < count; i++) {
      const item = parse(buf, at);
      if (!item) return null;
      [items[i], at] = item;
    }
    return [items, at];
  }
  throw new Error(`unexpected reply type ${JSON.stringify(type)}`);
}

export function createStore({ host = 'localhost', port = 6379, timeoutMs = 2000 } = {}) {
  // Send one command and wait for its reply.
  function command(...args) {
    return new Promise((resolve, reject) => {
      let buf = Buffer.alloc(0);
      let settled = false;
      const finish = (fn, value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        fn(value);
      };
      const unavailable = (why) =>
        finish(reject, new StoreUnavailable(`data store ${host}:${port} unavailable: ${why}`));
      // One deadline for everything, the name lookup included.
      const timer = setTimeout(() => unavailable('no answer in time'), timeoutMs);
      const socket = net.createConnection({ host, port });
      socket.on('connect', () => socket.write(encode(args)));
      socket.on('error', (err) => unavailable(err.code ?? err.message));
      socket.on('close', () => unavailable('connection closed'));
      socket.on('data', (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        const reply = parse(buf);
        if (!reply) return;
        if (reply[0] instanceof Error) finish(reject, reply[0]);
        else finish(resolve, reply[0]);
      });
    });
  }
  return { command };
}
