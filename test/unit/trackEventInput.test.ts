import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkEventName,
  MAX_EVENT_NAME_LENGTH,
  parseProperties,
} from '../../src/extension/trackEventInput';

describe('Track Event input', () => {
  it('accepts no properties as an empty object', () => {
    assert.deepEqual(parseProperties(''), { value: {} });
    assert.deepEqual(parseProperties('   '), { value: {} });
  });

  it('accepts a JSON object', () => {
    assert.deepEqual(parseProperties('{"plan": "pro", "seats": 3}'), {
      value: { plan: 'pro', seats: 3 },
    });
  });

  it('refuses text that is not JSON, saying so', () => {
    const result = parseProperties('{plan: pro}');
    assert.equal(result.value, undefined);
    assert.match(result.error ?? '', /^Not valid JSON: /);
  });

  for (const text of ['[1, 2]', '"text"', '42', 'null', 'true']) {
    it(`refuses ${text}, which is JSON but not an object`, () => {
      assert.deepEqual(parseProperties(text), {
        error: 'The properties must be a JSON object, like {"key": "value"}',
      });
    });
  }

  it('wants a name that is not blank and not too long', () => {
    assert.equal(checkEventName('opened_settings'), undefined);
    assert.match(checkEventName('  ') ?? '', /Give the event a name/);
    assert.match(checkEventName('x'.repeat(MAX_EVENT_NAME_LENGTH + 1)) ?? '', /longer than 128/);
  });
});
