import type { Clock } from '../../src/domain/ports/clock.js';

/** A clock that moves only when a test says so. */
export class ManualClock implements Clock {
  private current: number;

  // Starts at the real time, so that sessions a test creates are not already past a real store's TTL.
  constructor(start = new Date()) {
    this.current = start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const DAY = 24 * 60 * MINUTE;
export const HOUR = 60 * MINUTE;
