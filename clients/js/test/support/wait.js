// Waiting for a condition with a deadline (no fixed sleeps in the tests).

/**
 * Polls `condition` (sync or async) every `intervalMs` until it returns a truthy value, which is
 * returned; throws when `timeoutMs` passes first (or when `condition` throws).
 */
export async function waitFor(condition, { timeoutMs = 20_000, intervalMs = 25, message } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) {
      const text = typeof message === 'function' ? message() : message;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${text ?? condition.toString()}`);
    }
    await new Promise((resolveTick) => setTimeout(resolveTick, intervalMs));
  }
}

/** The next `event` of `emitter` (optionally the next one `filter` accepts), with a deadline. */
export function nextEvent(emitter, event, { filter = () => true, timeoutMs = 20_000 } = {}) {
  return new Promise((resolveEvent, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no '${event}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = emitter.on(event, (payload) => {
      if (!filter(payload)) return;
      clearTimeout(timer);
      off();
      resolveEvent(payload);
    });
  });
}
