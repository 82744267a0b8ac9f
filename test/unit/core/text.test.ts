import assert from 'node:assert/strict';
import { article, closestMatch, editDistance, slugify } from '../../../src/core/text';

describe('text helpers', () => {
  it('slugify: lower case, [a-z0-9._-], starting with a letter or digit, at most 64 characters', () => {
    assert.equal(slugify('My Tools'), 'my-tools');
    assert.equal(slugify('  --My Server #2!  '), 'my-server-2');
    assert.equal(slugify('a'.repeat(100)).length, 64);
  });

  it('slugify: empty when no letter or digit survives, so each kind of id chooses its own fallback', () => {
    for (const name of ['', '!!!', '日本語', 'Сервер', '—']) assert.equal(slugify(name), '', name);
  });

  it('editDistance and closestMatch: "did you mean" for a near miss only', () => {
    assert.equal(editDistance('comand', 'command'), 1);
    assert.equal(closestMatch('Comand', ['args', 'command']), 'command');
    assert.equal(closestMatch('payload', ['args', 'command']), undefined);
  });

  it('article: "a" or "an"', () => {
    assert.equal(article('object'), 'an object');
    assert.equal(article('string'), 'a string');
  });
});
