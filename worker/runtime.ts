import { IllegalStateError } from '@temporalio/common';
import { DefaultLogger, Runtime, makeTelemetryFilterString, type LogLevel, type MetricsExporterConfig } from '@temporalio/worker';
import type { Logger } from '../common/logger';

const TO_PINO = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

export interface RuntimeMetricsOptions {
  /**
   * `host:port` for the SDK's Prometheus exporter (TEMPORAL_METRICS_PORT): workflow/activity task
   * latencies, schedule-to-start, task slots, pollers, sticky cache, at `/metrics`. Unset: no exporter.
   */
  prometheusBindAddress?: string;
}

/**
 * Routes the SDK's own logs, workflow/activity context logs and (forwarded) Rust core logs through
 * our pino logger, so a worker writes one stream of JSON lines; optionally exports the SDK's metrics
 * to Prometheus. Call once per process. Returns the exporter's address, or undefined when there is
 * none: a port already in use costs the metrics (with a warning), never the worker.
 */
export function installRuntime(logger: Logger, level: LogLevel = 'INFO', options: RuntimeMetricsOptions = {}): string | undefined {
  const install = (metrics?: MetricsExporterConfig) =>
    Runtime.install({
      logger: new DefaultLogger(level, ({ level: entryLevel, message, meta }) => {
        logger[TO_PINO[entryLevel]](meta ?? {}, message);
      }),
      telemetryOptions: {
        logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
        ...(metrics ? { metrics } : {}),
      },
    });
  const bindAddress = options.prometheusBindAddress;
  if (!bindAddress) {
    install();
    return undefined;
  }
  try {
    // Prometheus' conventions, as our own metrics follow them: seconds, and `_total` on counters, e.g.
    // temporal_workflow_task_schedule_to_start_latency_seconds_bucket, temporal_sticky_cache_hit_total.
    install({ prometheus: { bindAddress, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true } });
    return bindAddress;
  } catch (err) {
    if (err instanceof IllegalStateError) throw err; // installed twice: a bug, not a busy port
    logger.warn({ bindAddress, err: err instanceof Error ? err.message : String(err) }, 'Temporal metrics exporter not started; the worker runs without it');
    install();
    return undefined;
  }
}

/** pino's level names to the SDK's. */
export function sdkLogLevel(pinoLevel: string): LogLevel {
  switch (pinoLevel) {
    case 'trace':
      return 'TRACE';
    case 'debug':
      return 'DEBUG';
    case 'info':
      return 'INFO';
    case 'warn':
      return 'WARN';
    default:
      return 'ERROR';
  }
}
