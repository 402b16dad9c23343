// Unit tests of the API, run with `node --test` (Node.js's built-in test runner).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createApp, BODY_LIMIT } from '../src/app.js';

let server;
let base;

before(async () => {
  server = http.createServer(createApp());
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => server.close());

test('GET /health answers ok', async () => {
  const res = await fetch(`${base}/health`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: 'ok' });
});

test('POST then GET an item', async () => {
  const created = await fetch(`${base}/api/items`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'apples' }),
  });
  assert.equal(created.status, 201);
  const item = await created.json();
  assert.equal(item.name, 'apples');
  const got = await fetch(`${base}/api/items/${item.id}`);
  assert.deepEqual(await got.json(), item);
  const list = await (await fetch(`${base}/api/items`)).json();
  assert.ok(list.some((it) => it.id === item.id));
});

test('bad JSON is a 400', async () => {
  const res = await fetch(`${base}/api/items`, { method: 'POST', body: '{"name":' });
  assert.equal(res.status, 400);
});

test('a missing name is a 400', async () => {
  const res = await fetch(`${base}/api/items`, { method: 'POST', body: '{}' });
  assert.equal(res.status, 400);
});

test('unknown routes and items are 404', async () => {
  assert.equal((await fetch(`${base}/nope`)).status, 404);
  assert.equal((await fetch(`${base}/api/items/999`)).status, 404);
});

test('a body over the limit is a 413', async () => {
  const res = await fetch(`${base}/api/items`, {
    method: 'POST',
    body: JSON.stringify({ name: 'x'.repeat(BODY_LIMIT) }),
  });
  assert.equal(res.status, 413);
});

test('a wrong method is a 405', async () => {
  assert.equal((await fetch(`${base}/health`, { method: 'DELETE' })).status, 405);
});
