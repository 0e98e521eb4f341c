'use strict';

// What the plugin changes in the Framework (Serverless Framework 3 and its osls fork): the
// compilers of the six kinds, and their schemas.

// The event kinds streaming-events compiles, and the Framework's compiler (plugin class) of each.
const KINDS = ['stream', 'kafka', 'msk', 'activemq', 'rabbitmq', 'sqs'];
const FRAMEWORK_COMPILERS = {
  AwsCompileStreamEvents: 'stream',
  AwsCompileKafkaEvents: 'kafka',
  AwsCompileMSKEvents: 'msk',
  AwsCompileActiveMQEvents: 'activemq',
  AwsCompileRabbitMQEvents: 'rabbitmq',
  AwsCompileSQSEvents: 'sqs',
};
const COMPILE_HOOK = 'package:compileEvents';

// The Framework's plugin manager keeps, per lifecycle event, the list of { pluginName, hook }
// it calls. Each compiler of the six kinds has its `package:compileEvents` hook replaced by one
// that calls the original only when `isEnabled()` is false (custom.streamingEvents.enabled), so
// the Framework's compilers compile nothing and add no IAM statement while the plugin is on.
// Returns the kinds whose compiler was found.
function disableFrameworkCompilers(pluginManager, isEnabled) {
  const found = [];
  const hooks = (pluginManager && pluginManager.hooks && pluginManager.hooks[COMPILE_HOOK]) || [];
  for (const entry of hooks) {
    const kind = FRAMEWORK_COMPILERS[entry.pluginName];
    if (!kind || entry.streamingEventsWrapped) continue;
    const original = entry.hook;
    entry.hook = async () => {
      if (isEnabled()) return undefined;
      return original();
    };
    entry.streamingEventsWrapped = true;
    found.push(kind);
  }
  return found;
}

// The Framework validates the configuration (and, through Ajv, coerces it in place) before any
// hook runs. The schemas of the six kinds are replaced by an open one so that streaming-events
// does that validation itself, with positions and its own codes, on the configuration as the
// user wrote it. Returns the kinds whose schema was relaxed.
function relaxEventSchemas(configSchemaHandler) {
  const relaxed = [];
  const functions = configSchemaHandler && configSchemaHandler.schema
    && configSchemaHandler.schema.properties && configSchemaHandler.schema.properties.functions;
  if (!functions || !functions.patternProperties) return relaxed;
  for (const functionSchema of Object.values(functions.patternProperties)) {
    const events = functionSchema && functionSchema.properties && functionSchema.properties.events;
    const alternatives = events && events.items && events.items.anyOf;
    if (!Array.isArray(alternatives)) continue;
    for (const alternative of alternatives) {
      const names = Object.keys((alternative && alternative.properties) || {});
      if (names.length === 1 && KINDS.includes(names[0])) {
        alternative.properties[names[0]] = {};
        relaxed.push(names[0]);
      }
    }
  }
  return relaxed;
}

// The event kinds streaming-events compiles that the Framework does not know at all: their
// schema is defined with the Framework (open, as for the six kinds: streaming-events validates
// them), so that the Framework accepts the key and leaves it to the plugin.
const EXTRA_KINDS = ['documentDb'];

// Defines the extra kinds' events with the Framework; a kind another plugin already defined is
// left to it. Returns the kinds defined.
function defineExtraEvents(configSchemaHandler) {
  const defined = [];
  if (!configSchemaHandler || typeof configSchemaHandler.defineFunctionEvent !== 'function') {
    return defined;
  }
  for (const kind of EXTRA_KINDS) {
    try {
      configSchemaHandler.defineFunctionEvent('aws', kind, {});
      defined.push(kind);
    } catch {
      // Already defined (by the Framework or another plugin): keep that definition.
    }
  }
  return defined;
}

// The schema of custom.streamingEvents.
const CUSTOM_SCHEMA = {
  type: 'object',
  properties: {
    streamingEvents: {
      type: 'object',
      properties: {
        enabled: { type: 'boolean' },
        strict: { type: 'boolean' },
        binary: { type: 'string' },
      },
      additionalProperties: false,
    },
  },
};

module.exports = {
  KINDS,
  EXTRA_KINDS,
  FRAMEWORK_COMPILERS,
  COMPILE_HOOK,
  CUSTOM_SCHEMA,
  disableFrameworkCompilers,
  relaxEventSchemas,
  defineExtraEvents,
};
