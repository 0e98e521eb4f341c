'use strict';

// serverless-streaming-events: a Serverless Framework plugin that compiles the `stream`,
// `kafka`, `msk`, `activemq`, `rabbitmq` and `sqs` events of a service with streaming-events
// instead of the Framework's own compilers.
//
// - While enabled (custom.streamingEvents.enabled, default true), the Framework's compilers of
//   those six kinds compile nothing and add no IAM statement, and the Framework does not
//   validate those events (streaming-events does, with file, line and column).
// - Just before the Framework merges the service's `resources` into the compiled template
//   (`before:aws:package:finalize:mergeCustomProviderResources`, after every plugin's
//   `before:package:finalize`, such as serverless-iam-roles-per-function), the binary gets the
//   configuration as the Framework resolved it and the template compiled so far, and gives back
//   the template with the event source mappings, Kinesis consumers and IAM added.
// - During `serverless deploy`, the stack's current template is fetched through the Framework's
//   AWS provider and handed over too (`--previous`): what the deploy would do to the deployed
//   mappings and consumers that CloudFormation or Lambda would refuse fails the command before
//   anything is uploaded, and what changes in place is logged. A stack that does not exist yet,
//   or whose template cannot be read, skips that check with a note.
// - The events stay in the configuration, for plugins that read them.

const { findBinary } = require('./lib/binary');
const { formatDiagnostic, formatDiagnostics } = require('./lib/diagnostics');
const {
  CUSTOM_SCHEMA,
  KINDS,
  disableFrameworkCompilers,
  relaxEventSchemas,
  defineExtraEvents,
} = require('./lib/framework');
const { runBinary } = require('./lib/run');

const COMPILE_AT = 'before:aws:package:finalize:mergeCustomProviderResources';

class ServerlessStreamingEvents {
  constructor(serverless, cliOptions, utils) {
    this.serverless = serverless;
    this.cliOptions = cliOptions || {};
    this.log = (utils && utils.log) || fallbackLog(serverless);
    const schemaHandler = serverless.configSchemaHandler;
    if (schemaHandler && typeof schemaHandler.defineCustomProperties === 'function') {
      schemaHandler.defineCustomProperties(CUSTOM_SCHEMA);
    }
    this.frameworkCompilers = disableFrameworkCompilers(serverless.pluginManager, () =>
      this.isEnabled()
    );
    if (this.isEnabled()) {
      relaxEventSchemas(schemaHandler);
      defineExtraEvents(schemaHandler);
      this.wrapValidation(schemaHandler);
    }
    this.hooks = {
      // Every variable is resolved and the configuration validated; no compiler has run yet
      // (they add properties such as a function's `versionLogicalId` to the configuration).
      initialize: () => this.snapshotConfiguration(),
      [COMPILE_AT]: () => this.compile(),
    };
  }

  // The Framework validates the configuration before any hook runs; when it rejects it (in
  // `configValidationMode: error`), streaming-events checks the same configuration, and its
  // diagnostics, with positions and codes, replace the Framework's message where it finds an
  // error. Otherwise the Framework's error stands.
  wrapValidation(schemaHandler) {
    if (!schemaHandler || typeof schemaHandler.validateConfig !== 'function') return;
    const original = schemaHandler.validateConfig;
    schemaHandler.validateConfig = async (userConfig, ...rest) => {
      try {
        return await original.call(schemaHandler, userConfig, ...rest);
      } catch (error) {
        if (!error || error.code !== 'INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION') throw error;
        if (!this.isEnabled()) throw error;
        let ours = null;
        try {
          ours = this.failure(this.run(userConfig, null).result);
        } catch {
          ours = null;
        }
        throw ours || error;
      }
    };
  }

  snapshotConfiguration() {
    if (!this.isEnabled()) return;
    this.configuration = JSON.parse(JSON.stringify(this.serverless.configurationInput || {}));
  }

  settings() {
    const custom = (this.serverless.service && this.serverless.service.custom) || {};
    const settings = custom.streamingEvents;
    return settings && typeof settings === 'object' ? settings : {};
  }

  isEnabled() {
    const enabled = this.settings().enabled;
    return enabled !== false && enabled !== 'false';
  }

  error(message, code) {
    const ServerlessError = (this.serverless.classes && this.serverless.classes.Error) || Error;
    const error = new ServerlessError(message, code);
    if (error.code !== code) error.code = code;
    return error;
  }

  async compile() {
    if (!this.isEnabled()) {
      this.log.verbose('streaming-events is disabled (custom.streamingEvents.enabled: false)');
      return;
    }
    const missing = KINDS.filter((kind) => !this.frameworkCompilers.includes(kind));
    if (missing.length) {
      throw this.error(
        `streaming-events: this Framework version's compilers of ${missing.join(', ')} were not found, ` +
          'so they cannot be turned off; the plugin supports Serverless Framework 3 and osls',
        'STREAMING_EVENTS_FRAMEWORK_UNSUPPORTED'
      );
    }
    const previous = this.isDeploy() ? await this.deployedTemplate() : null;
    const { result, binary, elapsed } = this.run(
      this.configuration || this.serverless.configurationInput,
      this.serverless.service.provider.compiledCloudFormationTemplate,
      previous
    );
    const failure = this.failure(result, binary);
    if (failure) throw failure;
    // Notes are no warnings: what the deploy changes in place is worth a line; the kinds we
    // leave to the Framework are for --verbose.
    for (const d of result.diagnostics) {
      if (d.severity === 'note' && d.code === 'DEPLOY_CHANGES') this.log.notice(formatDiagnostic(d));
      else if (d.severity === 'note') this.log.verbose(formatDiagnostic(d));
      else this.log.warning(formatDiagnostic(d));
    }
    const compiled = this.serverless.service.provider.compiledCloudFormationTemplate;
    for (const key of Object.keys(compiled)) delete compiled[key];
    Object.assign(compiled, result.template);
    this.log.verbose(
      `streaming-events compiled the streaming events in ${elapsed.toFixed(0)} ms (${binary.path})`
    );
  }

  // `serverless deploy` (the command that packages and then deploys; not `deploy function`,
  // which packages nothing).
  isDeploy() {
    const commands = (this.serverless.processedInput && this.serverless.processedInput.commands) || [];
    return commands.length === 1 && commands[0] === 'deploy';
  }

  // The stack's current template, `{ text, stack }`, or null (with a note) when there is none
  // to compare with: the stack does not exist yet, or its template cannot be read.
  async deployedTemplate() {
    const provider = this.serverless.getProvider('aws');
    let stack = 'the stack';
    try {
      stack = provider.naming.getStackName();
      const response = await provider.request('CloudFormation', 'getTemplate', {
        StackName: stack,
        TemplateStage: 'Original',
      });
      const body = response && response.TemplateBody;
      if (body == null) throw new Error('the response has no TemplateBody');
      return { text: typeof body === 'string' ? body : JSON.stringify(body), stack };
    } catch (error) {
      const message = (error && error.message) || String(error);
      if (/does not exist/.test(message)) {
        this.log.notice(
          `streaming-events: stack ${stack} does not exist yet; nothing deployed to compare the mappings with`
        );
      } else {
        this.log.notice(
          `streaming-events: cannot read the deployed template of ${stack} (${message}); ` +
            'the checks against what is deployed are skipped'
        );
      }
      return null;
    }
  }

  // Runs the binary on `configuration` (and the template compiled so far, or null; the
  // deployed template, or null).
  run(configuration, template, previous = null) {
    const settings = this.settings();
    const serviceDir = this.serverless.serviceDir || process.cwd();
    let binary;
    try {
      binary = findBinary({ binary: settings.binary, serviceDir });
    } catch (e) {
      throw this.error(e.message, e.code || 'STREAMING_EVENTS_BINARY_NOT_FOUND');
    }
    const provider = this.serverless.getProvider('aws');
    const started = process.hrtime.bigint();
    const result = runBinary({
      binary: binary.path,
      configuration: JSON.parse(JSON.stringify(configuration || {})),
      template,
      previous,
      // Relative to the service folder (where the binary runs), as users know it.
      configFile: this.serverless.configurationFilename || null,
      cwd: serviceDir,
      stage: provider.getStage(),
      region: provider.getRegion(),
      strict: settings.strict === true,
    });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.error) {
      throw this.error(
        `streaming-events: cannot run ${binary.path} (from ${binary.source}): ${result.error.message}`,
        'STREAMING_EVENTS_BINARY_FAILED'
      );
    }
    return { result, binary, elapsed };
  }

  // The ServerlessError a run ends in, or null when its template can be used: errors, or, with
  // custom.streamingEvents.strict, warnings; a failure of the binary itself.
  failure(result, binary) {
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    const warnings = result.diagnostics.filter((d) => d.severity === 'warning');
    const strict = this.settings().strict === true;
    if (result.status === 0 && !(strict && warnings.length)) return null;
    if (result.status === 0 || result.status === 1) {
      const fatal = errors.length ? errors : warnings;
      if (!fatal.length) {
        return this.error(
          `streaming-events rejected the service without a diagnostic:\n${result.other}`,
          'STREAMING_EVENTS_BINARY_FAILED'
        );
      }
      const heading = errors.length
        ? `streaming-events found ${errors.length} error(s) in the service:`
        : 'streaming-events found warnings, which custom.streamingEvents.strict makes fatal:';
      return this.error(`${heading}\n\n${formatDiagnostics(errors.concat(warnings))}`, fatal[0].code);
    }
    return this.error(
      `streaming-events failed (exit code ${result.status}) running ${binary ? binary.path : 'the binary'} ${(result.args || []).join(' ')}:\n${result.other}`,
      'STREAMING_EVENTS_BINARY_FAILED'
    );
  }
}

function fallbackLog(serverless) {
  const write = (message) =>
    serverless && serverless.cli && typeof serverless.cli.log === 'function'
      ? serverless.cli.log(message)
      : process.stderr.write(`${message}\n`);
  return { error: write, warning: write, notice: write, info: write, verbose: () => {} };
}

module.exports = ServerlessStreamingEvents;
