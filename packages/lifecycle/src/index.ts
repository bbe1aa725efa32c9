export { exitOnSignal, type ShutdownOptions } from './shutdown.js';
