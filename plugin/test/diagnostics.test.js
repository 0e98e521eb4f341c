'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { parseStderr, formatDiagnostic } = require('../lib/diagnostics');

const DIAGNOSTIC = {
  code: 'FUNCTION_STREAM_ARN_INVALID',
  severity: 'error',
  message: 'at functions.a.events[0].stream.arn: not an ARN',
  file: 'serverless.yml',
  line: 9,
  column: 16,
  path: 'functions.a.events[0].stream.arn',
  help: 'write a stream ARN',
  referenceCode: null,
};

test('the JSON diagnostics are read from stderr, other lines kept apart', () => {
  const stderr = `note: something\n${JSON.stringify([DIAGNOSTIC], null, 2)}\n`;
  assert.deepStrictEqual(parseStderr(stderr), { diagnostics: [DIAGNOSTIC], other: 'note: something' });
  assert.deepStrictEqual(parseStderr(JSON.stringify([DIAGNOSTIC])).diagnostics, [DIAGNOSTIC]);
  assert.deepStrictEqual(parseStderr('error: unexpected argument'), {
    diagnostics: [],
    other: 'error: unexpected argument',
  });
});

test('a diagnostic is printed with its code, position and help', () => {
  assert.strictEqual(
    formatDiagnostic(DIAGNOSTIC),
    'error[FUNCTION_STREAM_ARN_INVALID]: at functions.a.events[0].stream.arn: not an ARN\n' +
      '  --> serverless.yml:9:16\n' +
      '  help: write a stream ARN'
  );
  assert.strictEqual(
    formatDiagnostic({ ...DIAGNOSTIC, file: null, help: null, referenceCode: 'VARIABLES_RESOLUTION_ERROR' }),
    "error[FUNCTION_STREAM_ARN_INVALID]: at functions.a.events[0].stream.arn: not an ARN\n  (the Serverless Framework's code: VARIABLES_RESOLUTION_ERROR)"
  );
});
