export { type BuildOptions, build } from './app.js';
export { type AdminApiConfig, describeConfig, loadConfig } from './config.js';
export { ApiError, ConfigError, PROBLEMS, type ProblemCode } from './errors.js';
export { createRootLogger } from './logger.js';
