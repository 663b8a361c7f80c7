import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Collects a gauge's value at scrape time (e.g. a count from the database). */
export type GaugeCollector = () => Promise<{ labels?: Record<string, string>; value: number }[]>;

/** The Prometheus registry of this instance and the metrics the shared parts write. */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly sealLag = new Histogram({
    name: 'event_seal_lag_seconds',
    help: 'time from an event being written to it being sealed',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10],
    registers: [this.registry],
  });
  readonly tiktokCalls = new Counter({
    name: 'tiktok_requests_total',
    help: 'TikTok API calls by endpoint and outcome class',
    labelNames: ['endpoint', 'class'] as const,
    registers: [this.registry],
  });
  readonly tiktokDuration = new Histogram({
    name: 'tiktok_request_duration_seconds',
    help: 'TikTok API call latency',
    labelNames: ['endpoint'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** A gauge whose values are read when Prometheus scrapes. */
  gauge(name: string, help: string, labelNames: string[], collect: GaugeCollector): void {
    if (this.registry.getSingleMetric(name)) return;
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const v of await collect()) {
          if (v.labels) this.set(v.labels, v.value);
          else this.set(v.value);
        }
      },
    });
  }
}
