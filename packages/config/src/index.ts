/** `@lockstep/config`: configuration helpers shared by the services. */
export { applyRedisPassword, type RedisPasswordResult } from './redis-password.js';
export { resolveSecretFiles, type SecretFilesResult } from './secret-files.js';
export { parseRedisUrls } from './redis-urls.js';
export { decimalInt } from './numbers.js';
