/**
 * `@lockstep/engine` for embedding and end-to-end tests: start a whole engine process in-process from a validated
 * configuration, or run the operator CLI. `main.ts` and `cli.ts` are the process entry points.
 */
export { API_USAGE, isApiCommand, runApiCli } from './cli-api.js';
export { runCli, USAGE } from './cli-commands.js';
export {
  describeConfig,
  ENGINE_ENV_VARIABLES,
  ENGINE_SECRET_VARIABLES,
  type EngineConfig,
  loadConfig,
} from './config.js';
export {
  createEngine,
  type Engine,
  type EngineDeps,
  type EngineHealth,
  type EngineSettings,
} from './engine.js';
export { ConfigError, EngineError, type EngineErrorCode } from './errors.js';
export { type EngineRuntime, startEngineRuntime } from './runtime.js';
export { sendBulkDeclaration } from './declarations.js';
// The pipeline's parts, for benchmarks and embedders that feed decoded events themselves.
export { createMetrics, type EngineMetrics } from './metrics.js';
export { createEventMapper, type EventMapper, type MappedEvent } from './pipeline/map-event.js';
export { createPipeline, type Pipeline, type PipelineDeps } from './pipeline/pipeline.js';
export { type EffectsExecutor, noEffectsExecutor } from './pipeline/effects.js';
export { createCorrections, type CorrectionsDeps } from './corrections/create.js';
export type { CorrectionExecutor } from './corrections/executor.js';
// Incident grouping, for benchmarks and embedders.
export { createIncidentGrouper, type IncidentGrouper, INCIDENT_LEASE } from './incidents/grouper.js';
export type { WfmFacts } from './incidents/attributes-of.js';
// Schedule loading, for the schedule-load benchmark.
export { createScheduleLoader, type LoadResult, type ScheduleLoader } from './schedule-loader.js';
