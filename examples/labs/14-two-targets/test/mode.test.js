// The tests: run in the development image (`node --test`), left out of the production one.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mode } from '../src/mode.js';

test('production only when NODE_ENV says so', () => {
  assert.equal(mode({ NODE_ENV: 'production' }), 'production');
  assert.equal(mode({}), 'development');
});
