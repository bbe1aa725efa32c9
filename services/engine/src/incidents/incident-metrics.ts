import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Incident grouping metrics, registered on the engine's registry. */
export interface IncidentMetrics {
  readonly open: Gauge;
  readonly changes: Counter<'type' | 'rule'>;
  readonly passSeconds: Histogram;
}

export function createIncidentMetrics(registry: Registry): IncidentMetrics {
  const opts = { registers: [registry] };
  return {
    open: new Gauge({
      name: 'lockstep_incidents_open',
      help: 'Open incidents (set by the engine holding the incident grouper lease).',
      ...opts,
    }),
    changes: new Counter({
      name: 'lockstep_incident_changes_total',
      help: 'Incident changes published, by type (incident.opened, incident.updated, incident.resolved) and rule.',
      labelNames: ['type', 'rule'],
      ...opts,
    }),
    passSeconds: new Histogram({
      name: 'lockstep_incident_pass_seconds',
      help: 'Duration of one incident grouping pass.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      ...opts,
    }),
  };
}
