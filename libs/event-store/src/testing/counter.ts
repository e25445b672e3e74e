// A tiny aggregate for the tests of this package: a counter that must be opened before it counts,
// with idempotent increments (an increment id already applied is a no-op).

import type { Decider } from '../command-handler.js';

export type CounterCommand =
  | { readonly type: 'Open'; readonly taskId: string }
  | { readonly type: 'Increment'; readonly taskId: string; readonly id: string; readonly by?: number };

export type CounterEvent =
  | { readonly type: 'Opened'; readonly taskId: string }
  | { readonly type: 'Incremented'; readonly taskId: string; readonly id: string; readonly by: number };

export interface CounterState {
  readonly open: boolean;
  readonly value: number;
  readonly applied: readonly string[];
}

export class CounterClosed extends Error {
  readonly code = 'COUNTER_CLOSED';
}

export const counterDecider: Decider<CounterCommand, CounterEvent, CounterState> = {
  initialState: { open: false, value: 0, applied: [] },
  decide(command, state) {
    switch (command.type) {
      case 'Open':
        return state.open ? [] : [{ type: 'Opened', taskId: command.taskId }];
      case 'Increment':
        if (!state.open) throw new CounterClosed(`counter ${command.taskId} is not open`);
        if (state.applied.includes(command.id)) return [];
        return [{ type: 'Incremented', taskId: command.taskId, id: command.id, by: command.by ?? 1 }];
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'Opened':
        return { ...state, open: true };
      case 'Incremented':
        return { ...state, value: state.value + event.by, applied: [...state.applied, event.id] };
    }
  },
};
