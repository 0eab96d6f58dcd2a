/**
 * Reads `read()` every `intervalMs` until `done` holds, and answers that read; after `timeoutMs`,
 * fails with `why(last read)`, so a timeout says what the thing was when the wait gave up.
 */
export async function pollFor<T>(read: () => Promise<T>, done: (value: T) => boolean, why: (last: T) => string, timeoutMs: number, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(why(value));
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
