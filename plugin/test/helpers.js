'use strict';

// Test doubles: a fake streaming-events binary (a Node script) and a fake Serverless instance
// shaped like the parts of Serverless Framework 3 the plugin uses.

const fs = require('fs');
const os = require('os');
const path = require('path');

function scratch() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'streaming-events-plugin-test-'));
}

function executable(dir, name, body) {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, body);
  fs.chmodSync(file, 0o755);
  return file;
}

// The fake binary: records its arguments and inputs in $FAKE_RECORD, then behaves as
// $FAKE_MODE says: ok (adds a mapping), warn (ok + a warning), note (ok + a note), error (exit 1
// with an error), hazard (exit 1 with an error naming the --previous file), changes (ok + an
// in-place-changes note naming it), crash (exit 2, text on stderr).
const FAKE_BINARY = `#!/usr/bin/env node
const fs = require('fs');
const args = process.argv.slice(2);
const value = (flag) => { const i = args.indexOf(flag); return i < 0 ? null : args[i + 1]; };
const record = { args, cwd: process.cwd(), resolved: JSON.parse(fs.readFileSync(value('--resolved'), 'utf8')) };
if (value('--template')) record.template = JSON.parse(fs.readFileSync(value('--template'), 'utf8'));
if (value('--previous')) record.previous = fs.readFileSync(value('--previous'), 'utf8');
if (process.env.FAKE_RECORD) fs.writeFileSync(process.env.FAKE_RECORD, JSON.stringify(record));
const mode = process.env.FAKE_MODE || 'ok';
const diagnostic = (severity, code) => ({ code, severity, message: 'at functions.worker.events[0].kafka.topic: ' + severity,
  file: 'serverless.yml', line: 12, column: 11, path: 'functions.worker.events[0].kafka.topic', help: 'fix it', referenceCode: null });
if (mode === 'crash') { process.stderr.write('error: unexpected argument\\n'); process.exit(2); }
if (mode === 'hazard') { const file = value('--previous'); process.stderr.write(JSON.stringify([{ ...diagnostic('error', 'DEPLOY_REPLACEMENT_CONFLICT'),
  message: 'mapping M (deployed in ' + file + '): StartingPosition changes', help: 'compare with ' + file }], null, 2) + '\\n'); process.exit(1); }
if (mode === 'error') { process.stderr.write(JSON.stringify([diagnostic('error', 'FUNCTION_KAFKA_TOPIC_MISSING')], null, 2) + '\\n'); process.exit(1); }
const template = record.template || { Resources: {} };
template.Resources.WorkerEventSourceMappingKafkaOrders = { Type: 'AWS::Lambda::EventSourceMapping', Properties: {} };
fs.writeFileSync(value('--output'), JSON.stringify(template, null, 2));
if (mode === 'warn') process.stderr.write(JSON.stringify([diagnostic('warning', 'INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION')], null, 2) + '\\n');
if (mode === 'changes') process.stderr.write(JSON.stringify([{ ...diagnostic('note', 'DEPLOY_CHANGES'), message: 'mapping M (deployed in ' + value('--previous') + '): BatchSize changes' }], null, 2) + '\\n');
if (mode === 'note') process.stderr.write(JSON.stringify([{ ...diagnostic('note', 'EVENTS_NOT_COMPILED'), file: null, line: null, column: null, path: null, help: null }], null, 2) + '\\n');
process.exit(0);
`;

class FakeServerlessError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

const COMPILERS = [
  'AwsCompileStreamEvents',
  'AwsCompileKafkaEvents',
  'AwsCompileMSKEvents',
  'AwsCompileActiveMQEvents',
  'AwsCompileRabbitMQEvents',
  'AwsCompileSQSEvents',
];

function eventsSchema(kinds) {
  return {
    properties: {
      functions: {
        patternProperties: {
          '^[a-zA-Z0-9-_]+$': {
            properties: {
              events: {
                items: {
                  anyOf: kinds.map((kind) => ({
                    type: 'object',
                    properties: { [kind]: { type: 'object', required: ['arn'] } },
                    required: [kind],
                    additionalProperties: false,
                  })),
                },
              },
            },
          },
        },
      },
    },
  };
}

// A Serverless-like object: `calls` records which Framework compilers ran, `logs` what was
// logged. `custom` is the service's custom section.
// `command` is what `processedInput.commands` holds; `getTemplate` answers the provider's
// CloudFormation getTemplate request (a function of the parameters; `requests` records them).
function fakeServerless({ serviceDir, custom = {}, configuration, command = ['package'], getTemplate } = {}) {
  const calls = [];
  const logs = [];
  const requests = [];
  const hooks = {
    'package:compileEvents': COMPILERS.map((pluginName) => ({
      pluginName,
      hook: async () => calls.push(pluginName),
    })).concat([{ pluginName: 'AwsCompileSNSEvents', hook: async () => calls.push('AwsCompileSNSEvents') }]),
  };
  const configurationInput = configuration || {
    service: 'orders',
    provider: { name: 'aws' },
    custom,
    functions: { worker: { handler: 'h.worker', events: [{ kafka: { topic: 'orders' } }] } },
  };
  const serverless = {
    serviceDir,
    configurationFilename: 'serverless.yml',
    configurationInput,
    classes: { Error: FakeServerlessError },
    pluginManager: { hooks },
    configSchemaHandler: {
      schema: eventsSchema(['stream', 'kafka', 'msk', 'activemq', 'rabbitmq', 'sqs', 'sns']),
      custom: null,
      defineCustomProperties(schema) {
        this.custom = schema;
      },
      async validateConfig() {},
    },
    service: {
      custom: configurationInput.custom,
      provider: {
        compiledCloudFormationTemplate: { AWSTemplateFormatVersion: '2010-09-09', Resources: { WorkerLambdaFunction: { Type: 'AWS::Lambda::Function' } } },
      },
    },
    processedInput: { commands: command, options: {} },
    getProvider: () => ({
      getStage: () => 'dev',
      getRegion: () => 'eu-west-1',
      naming: { getStackName: () => 'orders-dev' },
      request: async (service, method, params) => {
        requests.push([service, method, params]);
        if (!getTemplate) throw new Error('no request expected');
        return getTemplate(params);
      },
    }),
  };
  const log = {
    error: (m) => logs.push(['error', m]),
    warning: (m) => logs.push(['warning', m]),
    notice: (m) => logs.push(['notice', m]),
    info: (m) => logs.push(['info', m]),
    verbose: (m) => logs.push(['verbose', m]),
  };
  return { serverless, calls, logs, log, hooks, requests };
}

async function runCompileEvents(hooks) {
  for (const { hook } of hooks['package:compileEvents']) await hook();
}

module.exports = {
  scratch,
  executable,
  FAKE_BINARY,
  FakeServerlessError,
  fakeServerless,
  runCompileEvents,
  COMPILERS,
};
