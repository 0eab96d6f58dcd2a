import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Calls `read` until `done` holds of its answer or `withinMs` has passed, and answers the last read
 * either way; pauses grow from 50 ms to 400 ms. One read at a time, so a slow answer is never
 * overlapped by the next question. Requests reach a workflow as signals answered at once (domain/messages.ts),
 * so the API waits here for what the workflow does next (Ping's answer, the merchant's creation).
 */
export async function readUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, withinMs: number, first?: T): Promise<T> {
  const deadline = Date.now() + withinMs;
  let value = first ?? (await read());
  let pauseMs = 50;
  while (!done(value) && Date.now() + pauseMs < deadline) {
    await sleep(pauseMs);
    pauseMs = Math.min(pauseMs * 1.5, 400);
    value = await read();
  }
  return value;
}
