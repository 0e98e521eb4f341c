'use strict';

const test = require('node:test');
const assert = require('node:assert');
const path = require('path');
const { findBinary } = require('../lib/binary');
const { scratch, executable } = require('./helpers');

const SCRIPT = '#!/bin/sh\nexit 0\n';

function layout() {
  const dir = scratch();
  return {
    dir,
    fromEnv: executable(dir, 'env/streaming-events', SCRIPT),
    fromCustom: executable(dir, 'service/bin/streaming-events', SCRIPT),
    packageDir: path.dirname(path.dirname(executable(dir, 'pkg/bin/streaming-events', SCRIPT))),
    onPath: path.dirname(executable(dir, 'path/streaming-events', SCRIPT)),
  };
}

function options(l, overrides = {}) {
  return {
    env: { STREAMING_EVENTS_BIN: l.fromEnv, PATH: l.onPath },
    binary: './bin/streaming-events',
    serviceDir: path.join(l.dir, 'service'),
    platform: 'linux',
    arch: 'x64',
    resolvePlatformPackage: (name) => (name === '@streaming-events/linux-x64' ? l.packageDir : null),
    ...overrides,
  };
}

test('the binary is looked for in the order: env, custom, platform package, PATH', () => {
  const l = layout();
  assert.deepStrictEqual(findBinary(options(l)), { path: l.fromEnv, source: 'STREAMING_EVENTS_BIN' });
  const env = { PATH: l.onPath };
  assert.deepStrictEqual(findBinary(options(l, { env })), {
    path: l.fromCustom,
    source: 'custom.streamingEvents.binary',
  });
  assert.deepStrictEqual(findBinary(options(l, { env, binary: undefined })), {
    path: path.join(l.packageDir, 'bin', 'streaming-events'),
    source: '@streaming-events/linux-x64',
  });
  assert.deepStrictEqual(
    findBinary(options(l, { env, binary: undefined, resolvePlatformPackage: () => null })),
    { path: path.join(l.onPath, 'streaming-events'), source: 'PATH' }
  );
});

test('a platform package for another platform is not used', () => {
  const l = layout();
  const found = findBinary(options(l, { env: { PATH: l.onPath }, binary: undefined, arch: 'arm64' }));
  assert.strictEqual(found.source, 'PATH');
});

test('a source that is given but points nowhere is an error, not skipped', () => {
  const l = layout();
  assert.throws(() => findBinary(options(l, { env: { STREAMING_EVENTS_BIN: path.join(l.dir, 'nothing'), PATH: l.onPath } })), {
    code: 'STREAMING_EVENTS_BINARY_NOT_FOUND',
    message: /STREAMING_EVENTS_BIN is set to .*nothing/,
  });
  assert.throws(() => findBinary(options(l, { env: { PATH: l.onPath }, binary: './missing' })), {
    message: /custom\.streamingEvents\.binary is \.\/missing/,
  });
});

test('a file that is not executable is not a binary', () => {
  const l = layout();
  const plain = path.join(l.dir, 'plain');
  require('fs').writeFileSync(plain, 'text');
  assert.throws(() => findBinary(options(l, { env: { STREAMING_EVENTS_BIN: plain } })), {
    code: 'STREAMING_EVENTS_BINARY_NOT_FOUND',
  });
});

test('when nothing is found, the message says how to install it', () => {
  const l = layout();
  assert.throws(
    () => findBinary(options(l, { env: { PATH: path.join(l.dir, 'empty') }, binary: undefined, resolvePlatformPackage: () => null })),
    (error) => {
      assert.strictEqual(error.code, 'STREAMING_EVENTS_BINARY_NOT_FOUND');
      assert.match(error.message, /cargo install --path crates\/cli/);
      assert.match(error.message, /npm install --save-dev @streaming-events\/linux-x64/);
      return true;
    }
  );
});

test('scripts/platform-package.js builds a package the plugin finds', () => {
  const dir = scratch();
  const binary = executable(dir, 'built/streaming-events', SCRIPT);
  const out = path.join(dir, 'out');
  const result = require('child_process').spawnSync(
    process.execPath,
    [path.join(__dirname, '..', 'scripts', 'platform-package.js'), binary, out, 'linux', 'arm64'],
    { encoding: 'utf8' }
  );
  assert.strictEqual(result.status, 0, result.stderr);
  const packageDir = path.join(out, 'linux-arm64');
  const manifest = JSON.parse(require('fs').readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
  assert.strictEqual(manifest.name, '@streaming-events/linux-arm64');
  assert.deepStrictEqual([manifest.os, manifest.cpu], [['linux'], ['arm64']]);
  assert.strictEqual(manifest.version, require('../package.json').version);
  const found = findBinary({
    env: { PATH: '' },
    platform: 'linux',
    arch: 'arm64',
    resolvePlatformPackage: (name) => (name === manifest.name ? packageDir : null),
  });
  assert.strictEqual(found.path, path.join(packageDir, 'bin', 'streaming-events'));
});

test('every platform package is an optional dependency of the plugin, at its version', () => {
  const manifest = require('../package.json');
  for (const [name, version] of Object.entries(manifest.optionalDependencies)) {
    assert.match(name, /^@streaming-events\/(linux|darwin|win32)-(x64|arm64)$/);
    assert.strictEqual(version, manifest.version);
  }
});
