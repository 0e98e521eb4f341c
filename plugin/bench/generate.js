#!/usr/bin/env node
'use strict';

// Prints a service of N functions (default 60), each with a Kinesis stream, a DynamoDB stream,
// an SQS queue and a self-managed Kafka topic, as YAML.
const count = Number(process.argv[2] || 60);
const lines = [
  'service: bench',
  "frameworkVersion: '3'",
  'configValidationMode: error',
  'provider:',
  '  name: aws',
  '  runtime: nodejs20.x',
  'functions:',
];
for (let i = 0; i < count; i += 1) {
  lines.push(
    `  fn${i}:`,
    '    handler: handler.handler',
    '    events:',
    '      - stream:',
    '          type: kinesis',
    `          arn: arn:aws:kinesis:us-east-1:123456789012:stream/clicks-${i}`,
    '          batchSize: 100',
    '      - stream:',
    '          type: dynamodb',
    `          arn: arn:aws:dynamodb:us-east-1:123456789012:table/t${i}/stream/2024-01-01T00:00:00.000`,
    `      - sqs: arn:aws:sqs:us-east-1:123456789012:queue-${i}`,
    '      - kafka:',
    `          topic: topic-${i}`,
    '          bootstrapServers: [b-1.example.com:9096]',
    '          accessConfigurations:',
    '            saslScram512Auth: arn:aws:secretsmanager:us-east-1:123456789012:secret:kafka-AbCdEf'
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
