import { Router } from 'express';
import type { ConnectionLike } from '@temporalio/client';

export interface HealthDeps {
  connection: ConnectionLike;
  namespace: string;
  /** How long /readyz waits for Temporal before it says not ready. */
  readinessTimeoutMs?: number;
}

/**
 * `/healthz`: the process is up (restart it if not). `/readyz`: it can do its job, i.e. Temporal
 * answers for our namespace (send it traffic only if so).
 */
export function healthRoutes({ connection, namespace, readinessTimeoutMs = 2000 }: HealthDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await connection.withDeadline(Date.now() + readinessTimeoutMs, () =>
        connection.workflowService.describeNamespace({ namespace }),
      );
      res.json({ status: 'ready', checks: { temporal: 'ok' } });
    } catch (err) {
      res.status(503).json({
        status: 'not_ready',
        checks: { temporal: `unavailable: ${err instanceof Error ? err.message : String(err)}` },
      });
    }
  });
  return router;
}
