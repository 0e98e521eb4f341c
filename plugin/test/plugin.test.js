'use strict';

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const Plugin = require('..');
const { scratch, executable, FAKE_BINARY, fakeServerless, runCompileEvents } = require('./helpers');

const COMPILE_AT = 'before:aws:package:finalize:mergeCustomProviderResources';

function setup({ mode = 'ok', custom = {} } = {}) {
  const dir = scratch();
  const binary = executable(dir, 'bin/streaming-events', FAKE_BINARY);
  const record = path.join(dir, 'record.json');
  const fake = fakeServerless({ serviceDir: dir, custom });
  process.env.STREAMING_EVENTS_BIN = binary;
  process.env.FAKE_MODE = mode;
  process.env.FAKE_RECORD = record;
  const plugin = new Plugin(fake.serverless, {}, { log: fake.log });
  const recorded = () => JSON.parse(fs.readFileSync(record, 'utf8'));
  return { ...fake, plugin, dir, recorded };
}

test('the template compiled so far goes in, the new one replaces it in place', async () => {
  const { serverless, plugin, recorded, dir } = setup();
  const compiled = serverless.service.provider.compiledCloudFormationTemplate;
  await plugin.hooks.initialize();
  await plugin.hooks[COMPILE_AT]();
  assert.strictEqual(serverless.service.provider.compiledCloudFormationTemplate, compiled);
  assert.deepStrictEqual(Object.keys(compiled.Resources), [
    'WorkerLambdaFunction',
    'WorkerEventSourceMappingKafkaOrders',
  ]);
  const run = recorded();
  assert.deepStrictEqual(run.resolved, serverless.configurationInput);
  assert.deepStrictEqual(run.template.Resources, { WorkerLambdaFunction: { Type: 'AWS::Lambda::Function' } });
  assert.strictEqual(fs.realpathSync(run.cwd), fs.realpathSync(dir));
  const flag = (name) => run.args[run.args.indexOf(name) + 1];
  assert.strictEqual(flag('--config'), 'serverless.yml');
  assert.strictEqual(flag('--format'), 'json');
  assert.strictEqual(flag('--stage'), 'dev');
  assert.strictEqual(flag('--region'), 'eu-west-1');
  assert.ok(!run.args.includes('--strict'));
});

test('the configuration is the one seen at initialize, before compilers add to it', async () => {
  const { serverless, plugin, recorded } = setup();
  await plugin.hooks.initialize();
  serverless.configurationInput.functions.worker.versionLogicalId = 'WorkerLambdaVersionAbc';
  await plugin.hooks[COMPILE_AT]();
  assert.strictEqual(recorded().resolved.functions.worker.versionLogicalId, undefined);
});

test("the Framework's compilers are off while the plugin is on, and their schemas open", async () => {
  const { calls, hooks, serverless } = setup();
  await runCompileEvents(hooks);
  assert.deepStrictEqual(calls, ['AwsCompileSNSEvents']);
  assert.ok(serverless.configSchemaHandler.custom.properties.streamingEvents);
});

test('custom.streamingEvents.enabled: false hands everything back to the Framework', async () => {
  const { calls, hooks, plugin, serverless, dir } = setup({ custom: { streamingEvents: { enabled: false } } });
  await runCompileEvents(hooks);
  assert.strictEqual(calls.length, 7);
  await plugin.hooks[COMPILE_AT]();
  assert.ok(!fs.existsSync(path.join(dir, 'record.json')), 'the binary did not run');
  assert.deepStrictEqual(Object.keys(serverless.service.provider.compiledCloudFormationTemplate.Resources), [
    'WorkerLambdaFunction',
  ]);
  const alternatives = Object.values(serverless.configSchemaHandler.schema.properties.functions.patternProperties)[0]
    .properties.events.items.anyOf;
  assert.deepStrictEqual(alternatives[1].properties.kafka, { type: 'object', required: ['arn'] });
});

test('warnings go to the logger, and the template is used', async () => {
  const { plugin, logs, serverless } = setup({ mode: 'warn' });
  await plugin.hooks[COMPILE_AT]();
  const warnings = logs.filter(([level]) => level === 'warning').map(([, m]) => m);
  assert.strictEqual(warnings.length, 1);
  assert.match(warnings[0], /^warning\[INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION\]: .*\n {2}--> serverless\.yml:12:11/);
  assert.ok(serverless.service.provider.compiledCloudFormationTemplate.Resources.WorkerEventSourceMappingKafkaOrders);
});

test('custom.streamingEvents.strict: true makes warnings fatal, and passes --strict', async () => {
  const { plugin, serverless, recorded } = setup({ mode: 'warn', custom: { streamingEvents: { strict: true } } });
  await assert.rejects(plugin.hooks[COMPILE_AT](), (error) => {
    assert.strictEqual(error.constructor.name, 'FakeServerlessError');
    assert.strictEqual(error.code, 'INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION');
    assert.match(error.message, /custom\.streamingEvents\.strict/);
    return true;
  });
  assert.ok(recorded().args.includes('--strict'));
  assert.ok(!serverless.service.provider.compiledCloudFormationTemplate.Resources.WorkerEventSourceMappingKafkaOrders);
});

test('a note is no warning, not even with custom.streamingEvents.strict: true', async () => {
  const { plugin, logs, serverless } = setup({ mode: 'note', custom: { streamingEvents: { strict: true } } });
  await plugin.hooks[COMPILE_AT]();
  assert.deepStrictEqual(logs.filter(([level]) => level === 'warning'), []);
  assert.ok(logs.some(([level, m]) => level === 'verbose' && m.startsWith('note[EVENTS_NOT_COMPILED]')));
  assert.ok(serverless.service.provider.compiledCloudFormationTemplate.Resources.WorkerEventSourceMappingKafkaOrders);
});

test('an error fails the command with a ServerlessError naming our code and position; nothing is changed', async () => {
  const { plugin, serverless } = setup({ mode: 'error' });
  const before = JSON.stringify(serverless.service.provider.compiledCloudFormationTemplate);
  await assert.rejects(plugin.hooks[COMPILE_AT](), (error) => {
    assert.strictEqual(error.constructor.name, 'FakeServerlessError');
    assert.strictEqual(error.code, 'FUNCTION_KAFKA_TOPIC_MISSING');
    assert.match(error.message, /error\[FUNCTION_KAFKA_TOPIC_MISSING\]: .*\n {2}--> serverless\.yml:12:11\n {2}help: fix it/);
    return true;
  });
  assert.strictEqual(JSON.stringify(serverless.service.provider.compiledCloudFormationTemplate), before);
});

test('a failing binary is an error of its own, with what it said', async () => {
  const { plugin } = setup({ mode: 'crash' });
  await assert.rejects(plugin.hooks[COMPILE_AT](), {
    code: 'STREAMING_EVENTS_BINARY_FAILED',
    message: /exit code 2.*\n.*unexpected argument/s,
  });
});

test('a missing binary fails with the install instructions', async () => {
  const { plugin } = setup();
  process.env.STREAMING_EVENTS_BIN = path.join(scratch(), 'nothing-here');
  await assert.rejects(plugin.hooks[COMPILE_AT](), {
    code: 'STREAMING_EVENTS_BINARY_NOT_FOUND',
    message: /cargo install --path crates\/cli/,
  });
});

test("when the Framework's validation rejects the configuration, our diagnostics replace its message", async () => {
  const { serverless } = setup({ mode: 'error' });
  const handler = serverless.configSchemaHandler;
  // The plugin wrapped validateConfig in its constructor (setup); make the original reject.
  const framework = Object.assign(new Error('Configuration error at functions.worker'), {
    code: 'INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION',
  });
  const fresh = fakeServerless({ serviceDir: scratch() });
  fresh.serverless.configSchemaHandler.validateConfig = async () => {
    throw framework;
  };
  new Plugin(fresh.serverless, {}, { log: fresh.log });
  await assert.rejects(fresh.serverless.configSchemaHandler.validateConfig(fresh.serverless.configurationInput), {
    code: 'FUNCTION_KAFKA_TOPIC_MISSING',
    message: /serverless\.yml:12:11/,
  });
  // When streaming-events finds nothing, the Framework's error stands.
  process.env.FAKE_MODE = 'ok';
  await assert.rejects(fresh.serverless.configSchemaHandler.validateConfig({}), framework);
  assert.strictEqual(typeof handler.validateConfig, 'function');
});

test('with a JavaScript service file, the real binary reports against that file, without positions', (t) => {
  const real = path.join(__dirname, '..', '..', 'target', 'release', 'streaming-events');
  if (!fs.existsSync(real)) {
    t.skip('target/release/streaming-events is not built (cargo build --release)');
    return;
  }
  const { runBinary } = require('../lib/run');
  const dir = scratch();
  const result = runBinary({
    binary: real,
    configuration: {
      service: 'orders',
      provider: { name: 'aws' },
      functions: { worker: { handler: 'h.worker', events: [{ kafka: { bootstrapServers: ['b:9092'] } }] } },
    },
    template: null,
    configFile: 'serverless.ts',
    cwd: dir,
    stage: 'dev',
    region: 'us-east-1',
  });
  assert.strictEqual(result.status, 1);
  const error = result.diagnostics.find((d) => d.severity === 'error');
  assert.ok(error, JSON.stringify(result));
  assert.deepStrictEqual([error.file, error.line, error.column], ['serverless.ts', null, null]);
  assert.match(require('../lib/diagnostics').formatDiagnostic(error), /\n {2}--> serverless\.ts(\n|$)/);
  assert.ok(!result.args.includes('--config'), 'a .ts file is not read for positions');
});
