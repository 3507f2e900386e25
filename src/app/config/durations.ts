import { z } from 'zod';

/** Durations are seconds inside the configuration: every field holding one is named `…Seconds`. */
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;
type Unit = keyof typeof UNIT_SECONDS;

export const HOUR = UNIT_SECONDS.h;
export const DAY = UNIT_SECONDS.d;

/** "900", "900s", "15m", "12h", "14d": a positive whole number with an optional unit (seconds by default). */
const DURATION = '[1-9]\\d{0,9}[smhd]?';
const DURATION_SHAPE = new RegExp(`^${DURATION}$`);
const RATE_LIMIT_SHAPE = new RegExp(`^[1-9]\\d{0,6}/${DURATION}$`);

function isUnit(value: string): value is Unit {
  return Object.hasOwn(UNIT_SECONDS, value);
}

/** The seconds in a duration already matched against DURATION. */
function seconds(value: string): number {
  const unit = value.slice(-1);
  return Number.parseInt(value, 10) * (isUnit(unit) ? UNIT_SECONDS[unit] : 1);
}

/** "1h", "24d": a maximum as it is written in error messages and in the README. */
export function shownDuration(total: number): string {
  for (const unit of ['d', 'h', 'm'] as const) {
    if (total % UNIT_SECONDS[unit] === 0) return `${total / UNIT_SECONDS[unit]}${unit}`;
  }
  return `${total}s`;
}

/**
 * Node's timers cannot wait longer than 2^31-1 ms (about 24.8 days): a longer delay fires at once. Every
 * duration that ends up in a timer (rate-limit windows on the in-memory store, shutdown and store time
 * limits) is therefore capped below it, so that every accepted value works as written.
 */
export const TIMER_MAX_SECONDS = 24 * DAY;

/** A duration in seconds, at most `maxSeconds`. */
export function duration(maxSeconds: number) {
  return z
    .string()
    .regex(DURATION_SHAPE, {
      error: 'must be a positive whole number of seconds, optionally with a unit s, m, h or d (e.g. 900, 15m, 14d)',
    })
    .transform(seconds)
    .pipe(z.number().max(maxSeconds, { error: `must be at most ${shownDuration(maxSeconds)}` }));
}

/** "<attempts>/<window>", e.g. "100/1m": at most 100 attempts per minute; the window fits a timer. */
export function rateLimit() {
  return z
    .string()
    .regex(RATE_LIMIT_SHAPE, { error: 'must be <attempts>/<window>, e.g. 100/1m or 5/15m' })
    .transform((value) => {
      const [attempts = '', window = ''] = value.split('/');
      return { attempts: Number(attempts), windowSeconds: seconds(window) };
    })
    .refine((limit) => limit.windowSeconds <= TIMER_MAX_SECONDS, {
      error: `must have a window of at most ${shownDuration(TIMER_MAX_SECONDS)}`,
    });
}
