'use strict';

// Finds the streaming-events binary, in this order:
//   1. the STREAMING_EVENTS_BIN environment variable;
//   2. custom.streamingEvents.binary, relative to the service folder;
//   3. the platform package next to the plugin (@streaming-events/<os>-<arch>, an optional
//      dependency holding bin/streaming-events, as esbuild ships its binaries);
//   4. streaming-events on PATH.
// A source that is given but points nowhere is an error (it is never skipped silently).

const fs = require('fs');
const path = require('path');

const BINARY_NAME = 'streaming-events';

function executableName(platform) {
  return platform === 'win32' ? `${BINARY_NAME}.exe` : BINARY_NAME;
}

function platformPackageName(platform, arch) {
  return `@streaming-events/${platform}-${arch}`;
}

function isExecutableFile(file, platform) {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return false;
    if (platform === 'win32') return true;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function installHelp(platform, arch) {
  return [
    'Install it in one of these ways:',
    `  - from a checkout of streaming-events: cargo install --path crates/cli (puts ${BINARY_NAME} on PATH)`,
    `  - the platform package: npm install --save-dev ${platformPackageName(platform, arch)}`,
    '  - or point the plugin at a binary: STREAMING_EVENTS_BIN=/path/to/streaming-events, or',
    '    custom.streamingEvents.binary: ./bin/streaming-events (relative to the service folder)',
  ].join('\n');
}

class BinaryNotFound extends Error {
  constructor(message) {
    super(message);
    this.code = 'STREAMING_EVENTS_BINARY_NOT_FOUND';
  }
}

// options: { env, binary (custom.streamingEvents.binary), serviceDir, platform, arch,
//            resolvePlatformPackage (name => folder or null) }
// Returns { path, source }.
function findBinary(options) {
  const env = options.env || process.env;
  const platform = options.platform || process.platform;
  const arch = options.arch || process.arch;
  const fromEnv = env.STREAMING_EVENTS_BIN;
  if (fromEnv) {
    const file = path.resolve(fromEnv);
    if (isExecutableFile(file, platform)) return { path: file, source: 'STREAMING_EVENTS_BIN' };
    throw new BinaryNotFound(
      `STREAMING_EVENTS_BIN is set to ${fromEnv}, which is not an executable file.\n${installHelp(platform, arch)}`
    );
  }
  if (options.binary != null && options.binary !== '') {
    if (typeof options.binary !== 'string') {
      throw new BinaryNotFound('custom.streamingEvents.binary must be a path (a string)');
    }
    const file = path.resolve(options.serviceDir || '.', options.binary);
    if (isExecutableFile(file, platform)) return { path: file, source: 'custom.streamingEvents.binary' };
    throw new BinaryNotFound(
      `custom.streamingEvents.binary is ${options.binary} (${file}), which is not an executable file.\n${installHelp(platform, arch)}`
    );
  }
  const resolvePackage = options.resolvePlatformPackage || resolvePlatformPackage;
  const packageDir = resolvePackage(platformPackageName(platform, arch));
  if (packageDir) {
    const file = path.join(packageDir, 'bin', executableName(platform));
    if (isExecutableFile(file, platform)) return { path: file, source: platformPackageName(platform, arch) };
  }
  const onPath = searchPath(env, platform);
  if (onPath) return { path: onPath, source: 'PATH' };
  throw new BinaryNotFound(
    `The streaming-events binary was not found (STREAMING_EVENTS_BIN, custom.streamingEvents.binary, ` +
      `${platformPackageName(platform, arch)}, PATH).\n${installHelp(platform, arch)}`
  );
}

function resolvePlatformPackage(name) {
  try {
    return path.dirname(require.resolve(`${name}/package.json`, { paths: [path.join(__dirname, '..')] }));
  } catch {
    return null;
  }
}

function searchPath(env, platform) {
  const entries = (env.PATH || env.Path || '').split(platform === 'win32' ? ';' : ':');
  for (const entry of entries) {
    if (!entry) continue;
    const file = path.join(entry, executableName(platform));
    if (isExecutableFile(file, platform)) return file;
  }
  return null;
}

module.exports = { findBinary, platformPackageName, executableName, BinaryNotFound };
