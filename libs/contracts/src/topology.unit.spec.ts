import { describe, expect, it } from 'vitest';
import { Topology } from './topology.js';

describe('the durable consumers of task-api', () => {
  const topology = new Topology({ namespace: 'unit' });

  it.each([
    ['command intake', topology.commandConsumer],
    ['dispatcher', topology.dispatcherConsumer],
  ])('%s has a finite max_deliver, so that a message it cannot handle is dead-lettered instead of looping', (_name, consumer) => {
    expect(consumer.max_deliver).toBeGreaterThan(1);
  });
});
