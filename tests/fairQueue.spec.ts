/** The pipeline queue serves callers in turn, so one caller's batch does not starve the others. */
import { describe, expect, it } from 'vitest';
import { FairQueue } from '../src/core/pipelines/fairQueue.js';

describe('FairQueue', () => {
  it('takes owners in turn, each in its own order', () => {
    const queue = new FairQueue<string>();
    for (let i = 1; i <= 5; i += 1) queue.push('alice', `a${i}`);
    queue.push('bob', 'b1');
    queue.push('bob', 'b2');
    queue.push('carol', 'c1');
    const order: string[] = [];
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) order.push(item);
    expect(order).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'a4', 'a5']);
    expect(queue.size).toBe(0);
  });

  it('a newcomer is served before a busy owner finishes its batch', () => {
    const queue = new FairQueue<string>();
    for (let i = 1; i <= 50; i += 1) queue.push('bulk', `bulk${i}`);
    expect(queue.shift()).toBe('bulk1');
    queue.push('single', 'one');
    expect([queue.shift(), queue.shift()]).toContain('one');
  });

  it('removes cancelled items and keeps the rotation consistent', () => {
    const queue = new FairQueue<string>();
    queue.push('a', 'a1');
    queue.push('b', 'b1');
    queue.push('b', 'b2');
    expect(queue.remove((item) => item.startsWith('b'))).toBe(2);
    expect(queue.size).toBe(1);
    expect(queue.shift()).toBe('a1');
    expect(queue.shift()).toBeUndefined();
  });
});
