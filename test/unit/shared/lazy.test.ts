// The contract's schemas are built on first use (zod builds each eagerly: ~30-40 ms of every
// process's start for the ~600 of them), and a schema built that way is the schema itself.
import { types } from 'node:util';
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { builtOnFirstUse, builtPerKey } from '../../../shared/lazy';
import * as api from '../../../shared/api';
import * as capture from '../../../shared/capture';
import * as diagnostics from '../../../shared/diagnostics';
import * as helperProtocol from '../../../shared/helper-protocol';
import * as rates from '../../../shared/rates';
import * as topology from '../../../shared/topology';
import * as browserProtocol from '../../../shared/browser-protocol';

describe('builtOnFirstUse', () => {
  it('builds once, at the first touch, and then is that value', () => {
    let builds = 0;
    const v = builtOnFirstUse(() => {
      builds++;
      return { a: 1, nested: { b: 2 } };
    });
    expect(builds).toBe(0);
    expect(v.a).toBe(1);
    expect(Object.keys(v)).toEqual(['a', 'nested']);
    expect({ ...v }).toEqual({ a: 1, nested: { b: 2 } });
    expect('nested' in v).toBe(true);
    expect(builds).toBe(1);
  });

  it('a zod schema built on first use parses, fails, extends and is an instance as the eager one', () => {
    const eagerInner = z.object({ n: z.number().int() });
    const eager = z.object({ inner: eagerInner.nullable(), tag: z.enum(['a', 'b']) }).strict();
    const lazyInner = builtOnFirstUse(() => z.object({ n: z.number().int() }));
    const lazy = builtOnFirstUse(() => z.object({ inner: lazyInner.nullable(), tag: z.enum(['a', 'b']) }).strict());
    for (const value of [{ inner: { n: 1 }, tag: 'a' }, { inner: null, tag: 'b' }, { inner: { n: 1.5 }, tag: 'a' }, { inner: null, tag: 'c' }, { inner: null, tag: 'a', extra: 1 }, 'x']) {
      const [e, l] = [eager.safeParse(value), lazy.safeParse(value)];
      expect(l.success).toBe(e.success);
      expect(l.error?.issues).toEqual(e.error?.issues);
      expect(l.data).toEqual(e.data);
    }
    expect(lazy).toBeInstanceOf(z.ZodObject);
    expect(Object.keys(lazy.shape)).toEqual(['inner', 'tag']);
    expect(lazy.extend({ more: z.string() }).parse({ inner: null, tag: 'a', more: 'm' })).toEqual({ inner: null, tag: 'a', more: 'm' });
    const arr = z.array(lazyInner);
    expect(arr.parse([{ n: 2 }])).toEqual([{ n: 2 }]);
  });

  it('builtPerKey builds only the entries read, once each, and knows no key it was not given', () => {
    const builds: string[] = [];
    const table = builtPerKey({ a: () => (builds.push('a'), { n: 1 }), b: () => (builds.push('b'), { n: 2 }) });
    expect(builds).toEqual([]);
    expect(table.a.n).toBe(1);
    expect(table.a.n).toBe(1);
    expect(builds).toEqual(['a']);
    expect(Object.keys(table)).toEqual(['a', 'b']);
    expect('b' in table && Object.hasOwn(table, 'b')).toBe(true);
    // What a request may name: an op the table lacks, or one of Object.prototype's, is simply not there.
    for (const k of ['c', '__proto__', 'toString', 'constructor', 'hasOwnProperty']) {
      expect(Object.hasOwn(table, k)).toBe(false);
      expect(k in table).toBe(false);
      expect((table as Record<string, unknown>)[k]).toBeUndefined();
    }
  });

  it("every schema the contract exports is built on first use, not when it is imported", () => {
    const modules = { api, capture, diagnostics, helperProtocol, rates, topology, browserProtocol };
    const eager: string[] = [];
    let schemas = 0;
    for (const [file, mod] of Object.entries(modules)) {
      for (const [name, value] of Object.entries(mod)) {
        if (value instanceof z.ZodType) {
          schemas++;
          if (!types.isProxy(value)) eager.push(`${file}.${name}`);
        }
      }
    }
    expect(schemas).toBeGreaterThan(40);
    expect(eager).toEqual([]);
    expect(types.isProxy(api.apiMethods) && types.isProxy(api.apiEvents) && types.isProxy(helperProtocol.helperOps)).toBe(true);
  });
});
