'use strict';

// `serverless deploy`: the stack's current template, fetched through the Framework's AWS
// provider (mocked here), goes to the binary as --previous; `package` fetches nothing; a stack
// that does not exist or cannot be read skips the check with a note.

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const Plugin = require('..');
const { scratch, executable, FAKE_BINARY, fakeServerless } = require('./helpers');

const COMPILE_AT = 'before:aws:package:finalize:mergeCustomProviderResources';

const DEPLOYED = JSON.stringify({ Resources: { WorkerEventSourceMappingKafkaOrders: { Type: 'AWS::Lambda::EventSourceMapping' } } });

function setup({ mode = 'ok', command = ['deploy'], getTemplate } = {}) {
  const dir = scratch();
  const binary = executable(dir, 'bin/streaming-events', FAKE_BINARY);
  const record = path.join(dir, 'record.json');
  const fake = fakeServerless({ serviceDir: dir, command, getTemplate });
  process.env.STREAMING_EVENTS_BIN = binary;
  process.env.FAKE_MODE = mode;
  process.env.FAKE_RECORD = record;
  const plugin = new Plugin(fake.serverless, {}, { log: fake.log });
  const recorded = () => JSON.parse(fs.readFileSync(record, 'utf8'));
  return { ...fake, plugin, recorded };
}

const notices = (logs) => logs.filter(([level]) => level === 'notice').map(([, m]) => m);

test('deploy: the original template of the stack is fetched and passed as --previous', async () => {
  const { plugin, requests, recorded, logs } = setup({ getTemplate: async () => ({ TemplateBody: DEPLOYED, StagesAvailable: ['Original', 'Processed'] }) });
  await plugin.hooks[COMPILE_AT]();
  assert.deepStrictEqual(requests, [['CloudFormation', 'getTemplate', { StackName: 'orders-dev', TemplateStage: 'Original' }]]);
  const run = recorded();
  assert.ok(run.args.includes('--previous'));
  assert.strictEqual(run.previous, DEPLOYED);
  assert.deepStrictEqual(notices(logs), []);
});

test('a TemplateBody the SDK gave as an object is passed as JSON', async () => {
  const body = JSON.parse(DEPLOYED);
  const { plugin, recorded } = setup({ getTemplate: async () => ({ TemplateBody: body }) });
  await plugin.hooks[COMPILE_AT]();
  assert.deepStrictEqual(JSON.parse(recorded().previous), body);
});

test('package (and deploy function) fetch nothing and pass no --previous', async () => {
  for (const command of [['package'], ['deploy', 'function']]) {
    const { plugin, requests, recorded } = setup({ command, getTemplate: async () => ({ TemplateBody: DEPLOYED }) });
    await plugin.hooks[COMPILE_AT]();
    assert.deepStrictEqual(requests, [], command.join(' '));
    assert.ok(!recorded().args.includes('--previous'), command.join(' '));
  }
});

test('a stack that does not exist yet skips the check with a note, and the deploy goes on', async () => {
  const missing = Object.assign(new Error('Stack with id orders-dev does not exist'), { code: 'ValidationError' });
  const { plugin, recorded, logs, serverless } = setup({ getTemplate: async () => { throw missing; } });
  await plugin.hooks[COMPILE_AT]();
  assert.ok(!recorded().args.includes('--previous'));
  assert.deepStrictEqual(notices(logs), ['streaming-events: stack orders-dev does not exist yet; nothing deployed to compare the mappings with']);
  assert.ok(serverless.service.provider.compiledCloudFormationTemplate.Resources.WorkerEventSourceMappingKafkaOrders);
});

test('a template that cannot be read skips the check with a note saying why', async () => {
  for (const getTemplate of [
    async () => { throw Object.assign(new Error('User is not authorized to perform: cloudformation:GetTemplate'), { code: 'AccessDenied' }); },
    async () => ({}),
  ]) {
    const { plugin, recorded, logs } = setup({ getTemplate });
    await plugin.hooks[COMPILE_AT]();
    assert.ok(!recorded().args.includes('--previous'));
    const [note] = notices(logs);
    assert.match(note, /^streaming-events: cannot read the deployed template of orders-dev \(.+\); the checks against what is deployed are skipped$/);
  }
});

test('what the deploy changes in place is logged as a notice, not a warning', async () => {
  const { plugin, logs } = setup({ mode: 'changes', getTemplate: async () => ({ TemplateBody: DEPLOYED }) });
  await plugin.hooks[COMPILE_AT]();
  assert.deepStrictEqual(logs.filter(([level]) => level === 'warning'), []);
  const [note] = notices(logs);
  assert.match(note, /^note\[DEPLOY_CHANGES\]: mapping M \(deployed in stack orders-dev\)/);
});

test('a hazard fails the deploy, naming the deployed stack instead of a scratch file', async () => {
  const { plugin, serverless } = setup({ mode: 'hazard', getTemplate: async () => ({ TemplateBody: DEPLOYED }) });
  const before = JSON.stringify(serverless.service.provider.compiledCloudFormationTemplate);
  await assert.rejects(plugin.hooks[COMPILE_AT](), (error) => {
    assert.strictEqual(error.code, 'DEPLOY_REPLACEMENT_CONFLICT');
    assert.match(error.message, /mapping M \(deployed in stack orders-dev\): StartingPosition changes/);
    assert.match(error.message, /help: compare with stack orders-dev/);
    assert.doesNotMatch(error.message, /deployed-template/);
    return true;
  });
  assert.strictEqual(JSON.stringify(serverless.service.provider.compiledCloudFormationTemplate), before);
});

test('with the real binary, what the deploy changes in place comes back named after the stack', (t) => {
  const real = path.join(__dirname, '..', '..', 'target', 'debug', 'streaming-events');
  if (!fs.existsSync(real)) {
    t.skip('target/debug/streaming-events is not built (cargo build)');
    return;
  }
  const { runBinary } = require('../lib/run');
  const fixture = path.join(__dirname, '..', '..', 'tests', 'fixtures', 'previous', 'batch-size');
  const template = JSON.parse(
    require('child_process').execFileSync(real, ['package', '--config', 'deployed.yml'], { cwd: fixture, encoding: 'utf8' })
  );
  const result = runBinary({
    binary: real,
    configuration: {
      service: 'orders',
      provider: { name: 'aws', runtime: 'nodejs20.x', region: 'us-east-1' },
      functions: {
        worker: {
          handler: 'handler.main',
          events: [{ stream: { type: 'kinesis', arn: 'arn:aws:kinesis:us-east-1:123456789012:stream/orders', startingPosition: 'TRIM_HORIZON', batchSize: 50 } }],
        },
      },
    },
    template,
    previous: { text: JSON.stringify(template), stack: 'orders-dev' },
    configFile: 'serverless.yml',
    cwd: fixture,
    stage: 'dev',
    region: 'us-east-1',
  });
  assert.strictEqual(result.status, 0, JSON.stringify(result));
  const [note] = result.diagnostics;
  assert.strictEqual(note.code, 'DEPLOY_CHANGES');
  assert.match(note.message, /\(deployed in stack orders-dev\): the next deploy updates it in place: BatchSize changes from 100 to 50/);
  assert.deepStrictEqual([note.file, note.line], ['serverless.yml', 14]);
});
