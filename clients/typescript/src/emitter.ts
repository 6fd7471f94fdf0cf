// A minimal typed event emitter (the library has no runtime dependency, and EventTarget's
// events carry no typed payload).
export class Emitter<Events extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof Events, Set<(value: never) => void>>();

  /** Adds a listener; the returned function removes it. */
  on<K extends keyof Events>(type: K, listener: (value: Events[K]) => void): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener as (value: never) => void);
    return () => set.delete(listener as (value: never) => void);
  }

  protected emit<K extends keyof Events>(type: K, value: Events[K]): void {
    for (const listener of this.listeners.get(type) ?? []) {
      try {
        (listener as (value: Events[K]) => void)(value);
      } catch (error) {
        // One application handler's bug must not stop delivery to the others.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
