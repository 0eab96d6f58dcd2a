import { condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';
export const waitUpdate = defineUpdate<string, [string]>('wait');
const { slow } = proxyActivities<{ slow(): Promise<string> }>({ startToCloseTimeout: '5 seconds' });
/** An update handler that waits on a condition with a timeout, as the refund update does (REFUND_ANSWER_WAIT). */
export async function updateWithTimeout(): Promise<string> {
  let calls = 0;
  let wake = false;
  setHandler(waitUpdate, async (x) => {
    calls += 1;
    if (calls === 1) wake = true;
    await condition(() => false, '2 seconds');
    return `${x}:${calls}`;
  });
  await condition(() => wake);
  await slow();
  await condition(() => calls >= 2, '60 seconds');
  await condition(() => false, '3 seconds');
  return 'done';
}
