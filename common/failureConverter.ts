import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Loaded by path (`dataConverter.failureConverterPath`): the worker bundles it into the workflow
 * sandbox, so it imports nothing but the SDK. With `encodeCommonAttributes`, a failure's message and
 * stack trace travel as a payload (encrypted by the payload codec) and history shows "Encoded failure".
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
