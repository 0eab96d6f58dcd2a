import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataConverter } from '@temporalio/common';
import express from 'express';
import { createCodecRouter } from '../../api/codecRoutes';
import { errorHandler, notFound } from '../../api/errors';
import { createLogger } from '../../common/logger';
import { dataConverterFor, EncryptionCodec, parseEncryptionKeys, type EncryptionKeys } from '../../common/payloadCodec';

/**
 * The fixed payload encryption keys of the test run: every worker, client and API the helpers start
 * uses them unless told otherwise, and so does the codec endpoint the harness's Web UI calls. Two keys,
 * as after a rotation: `test-2` seals, `test-1` only opens. (Fixed and public: test data only.)
 */
export const TEST_ENCRYPTION_KEYS =
  'test-2:ysQXVCJARF/vYxPPjgTlZeymKRibQhP+OFU/OeY0AT8=,test-1:YDUS9sOARff+L7/9nhefDo4S7kPAAHAf5sd9AbWznRg=';

export function testEncryptionKeys(): EncryptionKeys {
  return parseEncryptionKeys(TEST_ENCRYPTION_KEYS);
}

export function testCodec(keys: EncryptionKeys = testEncryptionKeys()): EncryptionCodec {
  return new EncryptionCodec(keys);
}

/** For a `Client` or `Worker.create` of the test run (the same as production's `dataConverterFor`). */
export function testDataConverter(keys: EncryptionKeys = testEncryptionKeys()): DataConverter {
  return dataConverterFor(keys);
}

/** The Web UI origins of a dev server whose UI listens on `uiPort`: what CODEC_CORS_ORIGINS defaults to. */
export function uiOrigins(uiUrl: string): string[] {
  const { port } = new URL(uiUrl);
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

export interface RunningCodecServer {
  /** The endpoint to give the Web UI, e.g. http://127.0.0.1:41234/codec */
  url: string;
  stop(): Promise<void>;
}

/**
 * Just the codec endpoint (our router, our error shape) on a free port: the global setup starts it
 * before the dev server, whose Web UI needs its URL at start, while the API of each test file only
 * gets its port later.
 */
export async function startCodecServer(options: { apiKeys: string[]; allowedOrigins: string[]; keys?: EncryptionKeys }): Promise<RunningCodecServer> {
  const logger = createLogger({ name: 'test-codec', level: 'error', format: 'json' });
  const app = express();
  app.disable('x-powered-by');
  app.use('/codec', createCodecRouter({ codec: testCodec(options.keys), apiKeys: options.apiKeys, allowedOrigins: options.allowedOrigins }));
  app.use(notFound);
  app.use(errorHandler(logger));
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/codec`,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
