// Values built on first use, for the contract's schemas. zod builds every schema eagerly, each
// with a few dozen closures: the ~600 schemas here cost 30-40 ms of every process's start (the
// CLI, the helper, the extcap), most of them for messages that process never sees.

/** `build()`'s value, built on the first touch of any of its properties, then always that same object. */
export function builtOnFirstUse<T extends object>(build: () => T): T {
  let value: T | undefined;
  const real = (): T => (value ??= build());
  // The target stays an empty, extensible object, so the proxy may report whatever the real value has.
  return new Proxy({} as T, {
    get: (_, key) => Reflect.get(real(), key),
    set: (_, key, v) => Reflect.set(real(), key, v),
    has: (_, key) => Reflect.has(real(), key),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_, key) => {
      const d = Reflect.getOwnPropertyDescriptor(real(), key);
      return d && { ...d, configurable: true };
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
    defineProperty: (_, key, d) => Reflect.defineProperty(real(), key, d),
    deleteProperty: (_, key) => Reflect.deleteProperty(real(), key),
  });
}
