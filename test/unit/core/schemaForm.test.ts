import assert from 'node:assert/strict';
import { fieldsOf, parseField, validateObject, type JsonSchema } from '../../../src/core/schemaForm';

const schema: JsonSchema = {
  type: 'object',
  properties: {
    command: { type: 'string', minLength: 1, description: 'What to run' },
    timeoutMs: { type: 'integer', minimum: 1 },
    verbose: { type: 'boolean' },
    level: { type: 'string', enum: ['low', 'high'] },
    pick: { type: 'string', oneOf: [{ const: 'a', title: 'Option A' }, { const: 'b', title: 'Option B' }] },
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
    assert.deepEqual(parseField(fields.get('timeoutMs')!, '2.5'), { ok: false, error: 'timeoutMs must be integer' });
    assert.deepEqual(parseField(fields.get('timeoutMs')!, '0'), { ok: false, error: 'timeoutMs must be at least 1' });
    assert.deepEqual(parseField(fields.get('timeoutMs')!, 'soon'), { ok: false, error: 'timeoutMs must be a number' });
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
    assert.deepEqual(validateObject(schema, { level: 'mid', timeoutMs: 'x' }), ['command is required', 'timeoutMs must be integer', 'level must be one of: low, high']);
  });
});
