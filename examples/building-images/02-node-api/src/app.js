// The API: a request handler over an in-memory list of items.
// Built on Node.js's own `http` module: no npm dependencies.

export const BODY_LIMIT = 1024; // bytes: larger request bodies get 413

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function send(res, status, body, headers = {}) {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
    ...headers,
  });
  res.end(json);
}

// Read the whole body, refusing more than BODY_LIMIT bytes.
function readBody(req) {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > BODY_LIMIT) {
      reject(new HttpError(413, `body larger than ${BODY_LIMIT} bytes`));
      return;
    }
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > BODY_LIMIT) {
        reject(new HttpError(413, `body larger than ${BODY_LIMIT} bytes`));
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseItem(text) {
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
  const name = data?.name;
  if (typeof name !== 'string' || name.trim() === '' || name.length > 100) {
    throw new HttpError(400, '"name" must be a string of 1 to 100 characters');
  }
  return { name: name.trim() };
}

export function createApp() {
  const items = [];
  let nextId = 1;

  async function route(req, res) {
    const { pathname } = new URL(req.url, 'http://localhost');
    const itemMatch = pathname.match(/^\/api\/items\/([^/]+)$/);

    if (pathname === '/') {
      if (req.method !== 'GET') throw new HttpError(405, 'method not allowed');
      return send(res, 200, { name: 'node-api', message: 'Hello from a container!' });
    }
    if (pathname === '/health') {
      if (req.method !== 'GET') throw new HttpError(405, 'method not allowed');
      return send(res, 200, { status: 'ok' });
    }
    if (pathname === '/api/items') {
      if (req.method === 'GET') return send(res, 200, items);
      if (req.method === 'POST') {
        const item = { id: nextId++, ...parseItem(await readBody(req)) };
        items.push(item);
        return send(res, 201, item, { Location: `/api/items/${item.id}` });
      }
      throw new HttpError(405, 'method not allowed');
    }
    if (itemMatch) {
      if (req.method !== 'GET') throw new HttpError(405, 'method not allowed');
      const item = items.find((it) => String(it.id) === itemMatch[1]);
      if (!item) throw new HttpError(404, 'no such item');
      return send(res, 200, item);
    }
    throw new HttpError(404, 'not found');
  }

  return async function handler(req, res) {
    try {
      await route(req, res);
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 500) console.error(err);
      // Discard what is left of a refused body, then close that connection.
      req.resume();
      const headers = status === 413 ? { Connection: 'close' } : {};
      if (!res.headersSent) send(res, status, { error: status === 500 ? 'internal error' : err.message }, headers);
    }
  };
}
