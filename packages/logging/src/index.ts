export { REDACT_PATHS, SECRET_KEYS, scrubUrlCredentials } from './redact.js';
export { createRootLogger, type LogLevel, loggerOptions, type RootLoggerOptions } from './root-logger.js';
export { SERIALIZERS, serializeError } from './serializers.js';
