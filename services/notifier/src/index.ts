export {
  loadNotifierConfig,
  NOTIFIER_ENV_VARIABLES,
  NOTIFIER_SECRET_VARIABLES,
  type NotifierConfig,
} from './config.js';
export {
  type AgentDirectory,
  createRedisDirectory,
  EMPTY_DIRECTORY,
  type RedisDirectoryOptions,
} from './directory.js';
export { NotifierConfigError } from './errors.js';
export { createNotifierLogger } from './logger.js';
export { type NotifierRuntime, startNotifier, systemLookup } from './notifier.js';
export { createReceiver, type Receiver, type ReceivedAlert } from './receiver.js';
