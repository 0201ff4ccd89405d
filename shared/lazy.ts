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

/**
 * A table whose every entry is built on its first read (the API's methods, the helper's ops):
 * a process validates a few of them, and building all of apiMethods took 10 ms of the CLI's first call.
 */
export function builtPerKey<T extends object>(builders: { [K in keyof T]: () => T[K] }): T {
  const built = new Map<PropertyKey, unknown>();
  const has = (key: PropertyKey) => Object.prototype.hasOwnProperty.call(builders, key);
  const entry = (key: PropertyKey): unknown => {
    if (!built.has(key)) built.set(key, (builders as Record<PropertyKey, () => unknown>)[key]!());
    return built.get(key);
  };
  return new Proxy({} as T, {
    get: (_, key) => (has(key) ? entry(key) : undefined),
    has: (_, key) => has(key),
    ownKeys: () => Reflect.ownKeys(builders),
    getOwnPropertyDescriptor: (_, key) => (has(key) ? { value: entry(key), enumerable: true, configurable: true, writable: false } : undefined),
  });
}
