/**
 * The page's state holder. Every edit says what it affects, so the learning
 * rate can change mid-run without a reset while an architecture change
 * rebuilds the network, and display toggles touch neither.
 */
import { cloneState, type State } from './state.js';

/** 'reset': rebuild data and network; 'rate': only alpha; 'speed': only the pacing; 'view': drawing only. */
export type ChangeKind = 'reset' | 'rate' | 'speed' | 'view';

export type Listener = (state: State, kind: ChangeKind) => void;

export class Store {
  private current: State;
  private readonly listeners: Listener[] = [];

  constructor(initial: State) {
    this.current = cloneState(initial);
  }

  get state(): State {
    return this.current;
  }

  subscribe(fn: Listener): void {
    this.listeners.push(fn);
  }

  /** Applies an edit to a copy of the state and tells every listener. */
  update(kind: ChangeKind, edit: (s: State) => void): void {
    const next = cloneState(this.current);
    edit(next);
    this.current = next;
    for (const fn of this.listeners) fn(next, kind);
  }

  /** Replaces the whole state (a new hash); always a reset. */
  replace(state: State): void {
    this.current = cloneState(state);
    for (const fn of this.listeners) fn(this.current, 'reset');
  }
}
