/**
 * A stand-in for what a `beforeAll` starts: it reads through to the started object, so a spec writes
 * `emu.url` or `browser.newContext()` as it would with the object itself. Reading it before it is started
 * (or after it is stopped) is a mistake in the spec and says so; `own` members answer at any time.
 */
export function standIn<T extends object>(
  what: string,
  own: Partial<T> = {},
): { target: T; set(value: T | undefined): void; get(): T | undefined } {
  let current: T | undefined;
  const target = new Proxy(own as T, {
    get(_, key) {
      if (key in own) return Reflect.get(own, key);
      if (!current) throw new Error(`${what} is used before its beforeAll started it (or after its afterAll)`);
      const value = Reflect.get(current, key, current);
      return typeof value === 'function' ? value.bind(current) : value;
    },
    has: (_, key) => (current ? key in current : false),
  });
  return {
    target,
    set: (value) => {
      current = value;
    },
    get: () => current,
  };
}
