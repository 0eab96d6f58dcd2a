import { ActivityFailure, allHandlersFinished, ApplicationFailure, condition, continueAsNew, isCancellation, log, setHandler, workflowInfo } from '@temporalio/workflow';
import { PING_REJECTED } from '../domain/failureTypes';
import {
  keyUsedSignal,
  merchantAnswerQuery,
  merchantAuthQuery,
  merchantChangeSignal,
  merchantFingerprintQuery,
  merchantKeysQuery,
  merchantQuery,
  merchantStatusSignal,
  type MerchantInput,
} from '../domain/merchantMessages';
import { failureFromError } from './failures';
import { merchantCreates, merchantReads } from './merchantActivityOptions';
import { MerchantRecord } from './merchantRecord';

/** Well below the server's warning (10 240 events): a merchant's run stays quick to replay into a cold cache. */
const DEFAULT_HISTORY_LIMIT = 2_000;

/**
 * One merchant, for as long as it exists: its system of record (docs/merchants.md). It creates the
 * merchant at Ping, then follows Ping's status: on each status callback (only a trigger: the status
 * is read from Ping) and, until Ping has approved or denied it, by polling with backoff. It answers
 * the API's changes (keys, signing secret, settings) under their request ids and its queries from
 * the state it holds, and continues as new, with that state, before its history grows long.
 * Every handler is synchronous, so the main loop is the only thing that ever waits.
 */
export async function merchant(input: MerchantInput): Promise<void> {
  const record = new MerchantRecord(input);
  const wake = { check: false };

  setHandler(merchantQuery, () => record.view());
  setHandler(merchantKeysQuery, () => record.keyViews());
  setHandler(merchantAuthQuery, () => record.auth());
  setHandler(merchantAnswerQuery, (requestId) => record.answerTo(requestId));
  setHandler(merchantFingerprintQuery, () => input.fingerprint);
  setHandler(merchantChangeSignal, (change) => record.change(change));
  setHandler(keyUsedSignal, ({ keyId, at }) => record.keyUsed(keyId, at));
  setHandler(merchantStatusSignal, () => {
    wake.check = true;
  });

  const limit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  const continueAsNewDue = () => {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= limit;
  };
  const { initialMs, maxMs } = input.statusPoll;

  // A run continued from one that had not created the merchant yet follows attempts whose answer it never saw.
  let lookFirst = input.state !== undefined;
  let pollDelay = initialMs;
  /** The last read of Ping failed: keep polling until one succeeds, even once decided, or a callback's news would be lost. */
  let checkFailed = false;

  for (;;) {
    if (record.status === 'creating' && record.pingMerchantId === null) {
      const created = await createAtPing(record, input, lookFirst);
      lookFirst = true;
      if (created) {
        wake.check = true;
        pollDelay = initialMs;
      }
    }
    while (wake.check) {
      wake.check = false;
      // No id (the create failed, or has not succeeded yet): nothing at Ping to read.
      if (record.pingMerchantId !== null) checkFailed = !(await checkAtPing(record, record.pingMerchantId));
    }

    if (continueAsNewDue()) {
      await condition(allHandlersFinished);
      // A callback that came in meanwhile is read first; the next run would not know of it.
      if (!wake.check) await continueAsNew<typeof merchant>({ ...input, state: record.state() });
      continue;
    }

    const creating = record.status === 'creating' && record.pingMerchantId === null;
    const polling = creating || checkFailed || (record.pingMerchantId !== null && !record.isDecided);
    const woken = () => wake.check || continueAsNewDue();
    let timedOut = false;
    if (polling) timedOut = !(await condition(woken, pollDelay));
    else await condition(woken);
    if (!timedOut) {
      // A callback resets the backoff: Ping is talking, so the next silence is measured from here.
      if (wake.check) pollDelay = initialMs;
      continue;
    }
    pollDelay = Math.min(pollDelay * 2, maxMs);
    // While creating, the loop's top tries the create again.
    if (!creating) wake.check = true;
  }
}

/**
 * True once Ping has the merchant. A Ping 4xx ends it `failed` for good; anything else (Ping
 * unreachable past the activity's retries) leaves it `creating`, to be tried again after the backoff.
 */
async function createAtPing(record: MerchantRecord, input: MerchantInput, lookFirst: boolean): Promise<boolean> {
  try {
    const { pingMerchantId } = await merchantCreates.createPingMerchant(input.profile, { lookFirst });
    record.createdAtPing(pingMerchantId);
    return true;
  } catch (err) {
    if (isCancellation(err)) throw err;
    const { code, message } = failureFromError(err);
    if (refusedByPing(err)) record.refused({ code, message });
    else log.warn('merchant not created at Ping yet; trying again after the backoff', { merchantId: input.merchantId, code });
    return false;
  }
}

/** False when Ping could not be read; the caller then keeps polling. */
async function checkAtPing(record: MerchantRecord, pingMerchantId: string): Promise<boolean> {
  try {
    const { status } = await merchantReads.getPingMerchant(pingMerchantId);
    record.observe(status);
    return true;
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn('could not read the merchant at Ping; trying again after the backoff', { pingMerchantId, code: failureFromError(err).code });
    return false;
  }
}

function refusedByPing(err: unknown): boolean {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure && cause.type === PING_REJECTED;
}
