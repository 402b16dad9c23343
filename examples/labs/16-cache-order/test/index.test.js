// A test the image does not need: it stays out of the build context.
import test from 'node:test';
import assert from 'node:assert/strict';

test('the truth', () => {
  assert.equal(1 + 1, 2);
});
