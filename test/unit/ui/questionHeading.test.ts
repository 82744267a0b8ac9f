import assert from 'node:assert/strict';
import { fieldHint, questionHeading, stepTitle } from '../../../src/ui/commands/questionHeading';

describe('ui/commands/questionHeading: the answer input is headed by the question', () => {
  it("never repeats an ask task's name, which is the question itself", () => {
    const heading = questionHeading(
      'Deploy build 1.4.2 to staging?',
      { intent: undefined, arguments: { question: 'Deploy build 1.4.2 to staging?' } },
      'ask: Deploy build 1.4.2 to staging?',
    );
    assert.equal(heading.title, 'Deploy build 1.4.2 to staging?');
    assert.equal(heading.askedBy, undefined);
    assert.equal(heading.context, undefined);
    assert.doesNotMatch(stepTitle(heading, 0, 1), /asks|ask:/);
  });

  it('names the task when its name adds something', () => {
    const heading = questionHeading('Which environment?', { intent: 'Confirm the staging deploy', arguments: {} }, 'Confirm the staging deploy');
    assert.equal(heading.askedBy, 'Confirm the staging deploy');
    assert.equal(heading.context, 'Asked by “Confirm the staging deploy”');
    assert.equal(stepTitle(heading, 1, 3), 'Which environment? (2/3)');
  });

  it('cuts a long question in the title and keeps all of it in the prompt', () => {
    const long = `Please review ${'the migration plan '.repeat(10)}and say whether to go on.`;
    const heading = questionHeading(long, { arguments: { question: long } }, 'ask: …');
    assert.ok(heading.title.length <= 100 && heading.title.endsWith('…'));
    assert.equal(heading.context, long.replace(/\s+/g, ' ').trim());
  });

  it('says nothing about the only field when its words repeat the question', () => {
    const heading = questionHeading('Ship it?', { arguments: { question: 'Ship it?' } }, 'ask: Ship it?');
    assert.equal(fieldHint({ label: 'Answer', description: 'Ship it?', required: true }, heading, 1), undefined);
    assert.equal(fieldHint({ label: 'Reason', description: 'Why not', required: false }, heading, 2), 'Reason (optional): Why not');
  });
});
