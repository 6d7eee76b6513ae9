// A minimal event emitter that works the same in browsers and Node (no EventTarget, no
// node:events): on/off/once/emit. A listener that throws does not stop the other listeners
// nor the client; the error is reported on the console.
export class Emitter {
  #listeners = new Map();

  /** Calls `listener(payload)` for every `event`; returns a function that removes it. */
  on(event, listener) {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener);
    return () => this.off(event, listener);
  }

  off(event, listener) {
    this.#listeners.get(event)?.delete(listener);
    return this;
  }

  /** Like on(), for the next `event` only. */
  once(event, listener) {
    const off = this.on(event, (payload) => {
      off();
      listener(payload);
    });
    return off;
  }

  emit(event, payload) {
    const set = this.#listeners.get(event);
    if (!set) return false;
    for (const listener of [...set]) {
      try {
        listener(payload);
      } catch (error) {
        // An application bug in a listener must not break the connection's state machine.
        console.error(`roomlog-client: a '${event}' listener threw`, error);
      }
    }
    return set.size > 0;
  }
}
