// The notes API: a request handler that keeps its data in Redis.
import { StoreUnavailable } from './store.js';

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
    if (Number(req.headers['content-length'] ?? 0) > BODY_LIMIT) {
      reject(new HttpError(413, `body larger than ${BODY_LIMIT} bytes`));
      return;
    }
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > BODY_LIMIT) reject(new HttpError(413, `body larger than ${BODY_LIMIT} bytes`));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseNote(text) {
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
  const note = data?.text;
  if (typeof note !== 'string' || note.trim() === '' || note.length > 200) {
    throw new HttpError(400, '"text" must be a string of 1 to 200 characters');
  }
  return note.trim();
}

export function createApp(store) {
  async function route(req, res) {
    const { pathname } = new URL(req.url, 'http://localhost');
    if (pathname === '/health') {
      if (req.method !== 'GET') throw new HttpError(405, 'method not allowed');
      await store.command('PING');
      return send(res, 200, { status: 'ok', store: 'ok' });
    }
    if (pathname === '/api/notes') {
      if (req.method === 'GET') {
        const notes = await store.command('LRANGE', 'notes', '0', '-1');
        return send(res, 200, notes.map((n) => JSON.parse(n)));
      }
      if (req.method === 'POST') {
        const text = parseNote(await readBody(req));
        const id = await store.command('INCR', 'notes:last-id');
        const note = { id, text };
        await store.command('RPUSH', 'notes', JSON.stringify(note));
        return send(res, 201, note);
      }
      throw new HttpError(405, 'method not allowed');
    }
    throw new HttpError(404, 'not found');
  }

  return async function handler(req, res) {
    try {
      await route(req, res);
    } catch (err) {
      let status = 500;
      let message = 'internal error';
      if (err instanceof HttpError) [status, message] = [err.status, err.message];
      else if (err instanceof StoreUnavailable) [status, message] = [503, 'data store unavailable, try again later'];
      if (status >= 500) console.error(err.message);
      // Discard what is left of a refused body, then close that connection.
      req.resume();
      const headers = status === 413 ? { Connection: 'close' } : status === 503 ? { 'Retry-After': '5' } : {};
      if (!res.headersSent) send(res, status, { error: message }, headers);
    }
  };
}
