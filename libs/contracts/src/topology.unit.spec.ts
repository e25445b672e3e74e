import { describe, expect, it } from 'vitest';
import { Topology } from './topology.js';

describe('the durable consumers of task-api', () => {
  const topology = new Topology({ namespace: 'unit' });

  it('the command intake has a finite max_deliver, so that a message it cannot handle is dead-lettered instead of looping', () => {
    expect(topology.commandConsumer.max_deliver).toBeGreaterThan(1);
  });

  it('retires the dispatcher of earlier releases, whose durable read every commit of the log', () => {
    expect(topology.retiredConsumers).toEqual([{ stream: topology.eventStream.name, durable: 'unit_dispatcher' }]);
  });
});
