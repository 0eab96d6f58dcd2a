import express, { type Express } from 'express';
import type { Connection } from '@temporalio/client';
import type { Logger } from '../common/logger';
import { requireApiKey } from './auth';
import { errorHandler, notFound } from './errors';
import { healthRoutes } from './health';
import { requestLogging } from './requestLogging';

export interface AppDeps {
  logger: Logger;
  apiKeys: readonly string[];
  temporal: { connection: Connection; namespace: string };
}

/** The HTTP API, built from its dependencies so tests can hand in real servers on free ports. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestLogging(deps.logger));
  app.use(healthRoutes(deps.temporal));

  const v1 = express.Router();
  v1.use(requireApiKey(deps.apiKeys));
  v1.use(express.json({ limit: '100kb' }));
  // Payment routes are mounted here by the flows' issues.
  app.use('/v1', v1);

  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
