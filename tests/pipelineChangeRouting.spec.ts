/**
 * Issue 14: a stored pipeline change reaches the listeners of that pipeline only. With every waiter on one
 * 'change' event, 200 concurrent calls made each change call 200 listeners (and copy their array), so the
 * engine's bookkeeping grew with the square of the calls in flight.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { PipelineRecord } from '../src/core/pipelines/types.js';
import { announceChange, onChanges } from '../src/core/pipelines/waiting.js';

const record = (id: string) => ({ id, updatedAt: new Date().toISOString() }) as PipelineRecord;

describe('pipeline change routing', () => {
  it('calls the listeners of the changed pipeline, and those of every pipeline, and no others', () => {
    const events = new EventEmitter();
    events.setMaxListeners(0);
    const heard: string[] = [];
    const offA = onChanges(events, ['pl_a', 'pl_a'], (r) => heard.push(`a:${r.id}`));
    const offB = onChanges(events, ['pl_b', 'pl_c'], (r) => heard.push(`bc:${r.id}`));
    const offAll = onChanges(events, undefined, (r) => heard.push(`all:${r.id}`));
    announceChange(events, record('pl_a'));
    announceChange(events, record('pl_c'));
    announceChange(events, record('pl_z'));
    // Listed twice, heard once: the same listener is not registered twice for one pipeline.
    expect(heard).toEqual(['all:pl_a', 'a:pl_a', 'all:pl_c', 'bc:pl_c', 'all:pl_z']);
    offA();
    offB();
    offAll();
    expect(events.eventNames()).toEqual([]);
  });

  it('200 waiters, 1,000 changes: each change calls one listener, not 200', () => {
    const events = new EventEmitter();
    events.setMaxListeners(0);
    let calls = 0;
    const offs = Array.from({ length: 200 }, (_, i) => onChanges(events, [`pl_${i}`], () => calls++));
    for (let round = 0; round < 5; round++) for (let i = 0; i < 200; i++) announceChange(events, record(`pl_${i}`));
    expect(calls).toBe(1_000);
    for (const off of offs) off();
    expect(events.eventNames()).toEqual([]);
  });
});
