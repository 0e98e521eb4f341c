'use strict';

// One run of the binary in its binary mode:
//   streaming-events package --resolved CONFIG.json [--config serverless.yml]
//       --template TEMPLATE.json --output OUT.json --format json --stage S --region R [--strict]
//       [--previous DEPLOYED]
// The resolved configuration and the template compiled so far go in as files; the new template
// comes back in OUT.json, the diagnostics as JSON on stderr. Exit 0: compiled (maybe with
// warnings); 1: the service is invalid; 2: a usage error.

const childProcess = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { parseStderr } = require('./diagnostics');

const POSITION_FILES = /\.(ya?ml|json)$/i;

// input: { binary, configuration, template, configFile (absolute, or null), stage, region,
//          strict, previous ({ text, stack }: the deployed template, or null) }
// Returns { status, template (or null), diagnostics, other (stderr that is not diagnostics) }.
function runBinary(input) {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'streaming-events-'));
  try {
    const resolvedFile = path.join(scratch, 'resolved.json');
    const templateFile = path.join(scratch, 'template.json');
    const outputFile = path.join(scratch, 'output.json');
    fs.writeFileSync(resolvedFile, JSON.stringify(input.configuration));
    const args = ['package', '--resolved', resolvedFile];
    // Without a template the binary builds the whole template itself (used to diagnose a
    // configuration the Framework rejected before any hook ran).
    if (input.template != null) {
      fs.writeFileSync(templateFile, JSON.stringify(input.template));
      args.push('--template', templateFile);
    }
    // Positions come from the service file when it is one we can read (not .js / .ts).
    if (input.configFile && POSITION_FILES.test(input.configFile)) {
      args.push('--config', input.configFile);
    }
    args.push('--output', outputFile, '--format', 'json', '--color', 'never');
    if (input.stage) args.push('--stage', String(input.stage));
    if (input.region) args.push('--region', String(input.region));
    if (input.strict) args.push('--strict');
    // The deployed template as get-template gave it (JSON or YAML text); diagnostics name it
    // as the deployed stack, not as this scratch file.
    const previousFile = path.join(scratch, 'deployed-template');
    const deployedName = input.previous ? `stack ${input.previous.stack}` : null;
    if (input.previous) {
      fs.writeFileSync(previousFile, input.previous.text);
      args.push('--previous', previousFile);
    }
    const result = childProcess.spawnSync(input.binary, args, {
      cwd: input.cwd || process.cwd(),
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      windowsHide: true,
    });
    if (result.error) {
      return { status: null, error: result.error, template: null, diagnostics: [], other: '' };
    }
    const parsed = parseStderr(result.stderr);
    const { other } = parsed;
    // Without a service file we can read (serverless.js / .ts), positions are the resolved
    // file's, a scratch file the user never sees: name the service file, without a position.
    const named = (text) => (deployedName && text ? text.split(previousFile).join(deployedName) : text);
    const diagnostics = parsed.diagnostics.map((d) => {
      if (d.file && path.resolve(input.cwd || process.cwd(), d.file) === resolvedFile) {
        return { ...d, file: input.configFile || null, line: null, column: null };
      }
      return { ...d, message: named(d.message), help: named(d.help), file: named(d.file) };
    });
    let template = null;
    if (result.status === 0) {
      template = JSON.parse(fs.readFileSync(outputFile, 'utf8'));
    }
    return { status: result.status, template, diagnostics, other, args };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

module.exports = { runBinary };
