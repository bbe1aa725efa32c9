/** `@lockstep/config`: configuration helpers shared by the services. */
export { resolveSecretFiles, type SecretFilesResult } from './secret-files.js';
