// Reconnect delays: exponential backoff with jitter, never shorter than what the server asked
// for (a handshake's Retry-After, a frame's retryAfterMs).

/**
 * The delay before reconnect attempt `attempt` (0 for the first retry): a random value in
 * [half, whole] of min(maxDelayMs, initialDelayMs * 2^attempt) ("equal jitter", so clients
 * dropped together do not come back together, yet each waits at least half the step), and at
 * least `retryAfterMs` when the server gave one.
 */
export function reconnectDelay(attempt, { initialDelayMs, maxDelayMs }, retryAfterMs = 0, random = Math.random) {
  const step = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(attempt, 30));
  const jittered = step / 2 + random() * (step / 2);
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}

/** A `Retry-After` header value (seconds, or an HTTP date) in milliseconds; undefined if absent. */
export function retryAfterHeaderMs(value, now = Date.now()) {
  if (value === undefined || value === null || value === '') return undefined;
  const text = String(value).trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
