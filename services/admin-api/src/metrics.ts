import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** The admin API's Prometheus registry: prom-client default metrics plus request metrics. One per app. */
export interface ApiMetrics {
  readonly registry: Registry;
  readonly requestDuration: Histogram<'method' | 'route' | 'status'>;
}

export function createApiMetrics(): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requestDuration = new Histogram({
    name: 'lockstep_admin_api_request_duration_seconds',
    help: 'Admin API request duration by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return { registry, requestDuration };
}
