import assert from 'node:assert/strict';
import { fieldsOf, parseField, validateObject, validateValue, type JsonSchema } from '../../../src/core/schemaForm';

const schema: JsonSchema = {
  type: 'object',
  properties: {
    command: { type: 'string', minLength: 1, description: 'What to run' },
    timeoutMs: { type: 'integer', minimum: 1 },
    verbose: { type: 'boolean' },
    level: { type: 'string', enum: ['low', 'high'] },
    pick: {
      type: 'string',
      oneOf: [
        { const: 'a', title: 'Option A' },
        { const: 'b', title: 'Option B' },
      ],
    },
    env: { type: 'object' },
    email: { type: 'string', format: 'email' },
  },
  required: ['command', 'level'],
};

describe('schema forms', () => {
  const fields = new Map(fieldsOf(schema).map((f) => [f.name, f]));

  it('derives one field per property with its kind and requiredness', () => {
    assert.deepEqual(
      fieldsOf(schema).map((f) => [f.name, f.kind, f.required]),
      [
        ['command', 'string', true],
        ['timeoutMs', 'integer', false],
        ['verbose', 'boolean', false],
        ['level', 'choice', true],
        ['pick', 'choice', false],
        ['env', 'json', false],
        ['email', 'string', false],
      ],
    );
    assert.deepEqual(fields.get('pick')!.choices, [
      { value: 'a', label: 'Option A' },
      { value: 'b', label: 'Option B' },
    ]);
  });

  it('parses typed answers into values and rejects bad ones with a reason', () => {
    assert.deepEqual(parseField(fields.get('timeoutMs')!, '250'), { ok: true, value: 250 });
    assert.deepEqual(parseField(fields.get('timeoutMs')!, '2.5'), { ok: false, error: 'timeoutMs must be a whole number' });
    assert.deepEqual(parseField(fields.get('timeoutMs')!, '0'), { ok: false, error: 'timeoutMs must be at least 1' });
    assert.deepEqual(parseField(fields.get('timeoutMs')!, 'soon'), {
      ok: false,
      error: 'timeoutMs must be a number of milliseconds or a duration, e.g. 90s or 10m',
    });
    assert.deepEqual(parseField(fields.get('timeoutMs')!, '10m'), { ok: true, value: 600_000 }, 'milliseconds may be typed as a duration');
    assert.deepEqual(parseField(fields.get('verbose')!, 'TRUE'), { ok: true, value: true });
    assert.deepEqual(parseField(fields.get('env')!, '{"A":"1"}'), { ok: true, value: { A: '1' } });
    assert.equal(parseField(fields.get('env')!, '{oops').ok, false);
    assert.deepEqual(parseField(fields.get('pick')!, 'Option B'), { ok: true, value: 'b' });
    assert.equal(parseField(fields.get('email')!, 'not-an-email').ok, false);
  });

  it('omits empty optional answers and refuses empty required ones', () => {
    assert.deepEqual(parseField(fields.get('timeoutMs')!, ''), { ok: true, value: undefined, omitted: true });
    assert.deepEqual(parseField(fields.get('command')!, ''), { ok: false, error: 'command must have at least 1 character' });
  });

  it('validates a whole answer', () => {
    assert.deepEqual(validateObject(schema, { command: 'ls', level: 'low' }), []);
    assert.deepEqual(validateObject(schema, { level: 'mid', timeoutMs: 'x' }), [
      'command is required',
      'timeoutMs must be a whole number',
      'level must be one of: low, high',
    ]);
  });

  it("asks in the schema's words, with an example answer and never a bare type name", () => {
    const form = fieldsOf({
      type: 'object',
      properties: {
        command: { type: 'string', description: 'The shell command line to run.' },
        durationMs: { type: 'integer', minimum: 0, description: 'How long to wait, in milliseconds.' },
        retries: { type: 'integer', minimum: 1, maximum: 5 },
        ratio: { type: 'number', maximum: 1 },
        env: { type: 'object', additionalProperties: { type: 'string' } },
        payload: {},
        site: { type: 'string', format: 'uri', title: 'Site address' },
        branch: { type: 'string', examples: ['release/2.0'] },
        reason: { type: 'string' },
      },
      required: ['command', 'durationMs', 'reason'],
    });
    const byName = new Map(form.map((f) => [f.name, f]));
    assert.equal(byName.get('command')!.prompt, 'The shell command line to run.');
    assert.equal(byName.get('command')!.placeholder, 'e.g. npm test');
    assert.equal(byName.get('durationMs')!.placeholder, 'e.g. 1m or 60000');
    assert.deepEqual(parseField(byName.get('durationMs')!, '1h 30m'), { ok: true, value: 5_400_000 });
    assert.deepEqual(parseField(byName.get('retries')!, 'soon'), { ok: false, error: 'retries must be a number' }, 'only milliseconds take a duration');
    assert.equal(byName.get('retries')!.prompt, 'Retries', 'without a description or title, the name in words');
    assert.equal(byName.get('retries')!.placeholder, 'e.g. 5 (leave empty to skip)', 'the example respects the maximum');
    assert.equal(byName.get('ratio')!.placeholder, 'e.g. 1 (leave empty to skip)');
    assert.equal(byName.get('env')!.placeholder, 'e.g. {"NODE_ENV": "test"} (leave empty to skip)');
    assert.equal(byName.get('site')!.prompt, 'Site address', 'the title when there is no description');
    assert.equal(byName.get('site')!.placeholder, 'e.g. https://example.com (leave empty to skip)');
    assert.equal(byName.get('branch')!.placeholder, 'e.g. release/2.0 (leave empty to skip)', "the schema's own example first");
    assert.equal(byName.get('reason')!.placeholder, 'Type your answer');
    for (const field of form) {
      assert.doesNotMatch(field.placeholder, /^(string|number|integer|boolean|object|array|JSON value|json)$/i, field.name);
      assert.doesNotMatch(field.prompt, /^(string|number|integer|boolean|object|array)$/i, field.name);
    }
  });

  it('offers enums, oneOf consts, booleans and arrays of enums as picks', () => {
    const form = fieldsOf({
      type: 'object',
      properties: {
        level: { type: 'string', enum: ['low', 'high'] },
        pick: {
          oneOf: [
            { const: 1, title: 'One' },
            { const: 2, title: 'Two' },
          ],
        },
        verbose: { type: 'boolean' },
        targets: { type: 'array', items: { type: 'string', enum: ['web', 'api'] } },
      },
    });
    assert.deepEqual(
      form.map((f) => [f.name, f.kind]),
      [
        ['level', 'choice'],
        ['pick', 'choice'],
        ['verbose', 'boolean'],
        ['targets', 'choices'],
      ],
    );
    assert.deepEqual(form[3]!.choices, [
      { value: 'web', label: 'web' },
      { value: 'api', label: 'api' },
    ]);
    assert.deepEqual(validateObject({ properties: form[3]!.schema.properties, type: 'object' }, {}), []);
    assert.equal(validateValue(form[3]!.schema, ['web', 'db'], 'targets'), 'targets, item 2, must be one of: web, api');
  });

  it('reads a list of strings typed with commas, or as JSON', () => {
    const [choices] = fieldsOf({ type: 'object', properties: { choices: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 3 } } });
    assert.equal(choices!.kind, 'list');
    assert.equal(choices!.placeholder, 'e.g. Deploy, Wait (leave empty to skip)');
    assert.deepEqual(parseField(choices!, 'Deploy, Wait ,'), { ok: true, value: ['Deploy', 'Wait'] });
    assert.deepEqual(parseField(choices!, '["a, b", "c"]'), { ok: true, value: ['a, b', 'c'] });
    assert.deepEqual(parseField(choices!, 'a, b, c, d'), { ok: false, error: 'choices must have at most 3 items' });
    assert.deepEqual(parseField(choices!, '[1]'), { ok: false, error: 'choices, item 1, must be text' });
    assert.deepEqual(parseField(choices!, ''), { ok: true, value: undefined, omitted: true });
  });
});
