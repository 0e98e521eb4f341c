#!/usr/bin/env node
'use strict';

// Builds the platform package of one target from a built binary:
//   node scripts/platform-package.js path/to/streaming-events OUT_DIR [PLATFORM ARCH]
// writes OUT_DIR/<platform>-<arch>/ with package.json (`@streaming-events/<platform>-<arch>`,
// restricted by `os` and `cpu` to that target, version = this plugin's) and bin/streaming-events.
// `npm publish --access public OUT_DIR/<platform>-<arch>` publishes it; the plugin lists every
// target under optionalDependencies, so npm installs only the one that fits the machine.

const fs = require('fs');
const path = require('path');
const { platformPackageName, executableName } = require('../lib/binary');

function main(argv) {
  const [binary, outDir, platform = process.platform, arch = process.arch] = argv;
  if (!binary || !outDir) {
    process.stderr.write('usage: platform-package.js BINARY OUT_DIR [PLATFORM ARCH]\n');
    return 2;
  }
  const plugin = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
  const name = platformPackageName(platform, arch);
  const target = path.join(outDir, `${platform}-${arch}`);
  fs.mkdirSync(path.join(target, 'bin'), { recursive: true });
  const file = path.join(target, 'bin', executableName(platform));
  fs.copyFileSync(binary, file);
  fs.chmodSync(file, 0o755);
  const manifest = {
    name,
    version: plugin.version,
    description: `The streaming-events binary for ${platform}-${arch} (used by serverless-streaming-events)`,
    license: plugin.license,
    os: [platform],
    cpu: [arch],
    files: ['bin/'],
    preferUnplugged: true,
  };
  fs.writeFileSync(path.join(target, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  process.stdout.write(`${target}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
