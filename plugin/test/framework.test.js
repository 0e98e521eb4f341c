'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { disableFrameworkCompilers, relaxEventSchemas, defineExtraEvents, KINDS } = require('../lib/framework');
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

test('documentDb, which the Framework lacks, is defined with an open schema, once', () => {
  const defined = [];
  const handler = {
    defineFunctionEvent(provider, name, schema) {
      if (defined.some(([, n]) => n === name)) throw new Error(`Function event '${name}' already have a definition`);
      defined.push([provider, name, schema]);
    },
  };
  assert.deepStrictEqual(defineExtraEvents(handler), ['documentDb']);
  assert.deepStrictEqual(defined, [['aws', 'documentDb', {}]]);
  assert.deepStrictEqual(defineExtraEvents(handler), [], 'a second definition is left to the first');
  assert.deepStrictEqual(defineExtraEvents({}), [], 'a Framework without the method');
});
