export { createMetricsServer, type MetricsServer, type MetricsServerDeps } from './metrics-server.js';
