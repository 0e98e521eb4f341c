'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { disableFrameworkCompilers, relaxEventSchemas, KINDS } = require('../lib/framework');
const { fakeServerless, runCompileEvents, COMPILERS } = require('./helpers');

test("the Framework's compilers of the six kinds run only while the plugin is disabled", async () => {
  const { serverless, calls, hooks } = fakeServerless();
  let enabled = true;
  const found = disableFrameworkCompilers(serverless.pluginManager, () => enabled);
  assert.deepStrictEqual(found.sort(), [...KINDS].sort());
  await runCompileEvents(hooks);
  assert.deepStrictEqual(calls, ['AwsCompileSNSEvents'], 'other kinds still compile');
  calls.length = 0;
  enabled = false;
  await runCompileEvents(hooks);
  assert.deepStrictEqual(calls, [...COMPILERS, 'AwsCompileSNSEvents']);
});

test('wrapping twice does not wrap twice', () => {
  const { serverless } = fakeServerless();
  disableFrameworkCompilers(serverless.pluginManager, () => true);
  assert.deepStrictEqual(disableFrameworkCompilers(serverless.pluginManager, () => true), []);
});

test('the schemas of the six kinds are opened, the others kept', () => {
  const { serverless } = fakeServerless();
  const relaxed = relaxEventSchemas(serverless.configSchemaHandler);
  assert.deepStrictEqual(relaxed.sort(), [...KINDS].sort());
  const alternatives = Object.values(serverless.configSchemaHandler.schema.properties.functions.patternProperties)[0]
    .properties.events.items.anyOf;
  for (const alternative of alternatives) {
    const [kind] = Object.keys(alternative.properties);
    if (KINDS.includes(kind)) assert.deepStrictEqual(alternative.properties[kind], {});
    else assert.deepStrictEqual(alternative.properties[kind], { type: 'object', required: ['arn'] });
  }
});
