import { sqlRows } from '../sql-rows.js';

/** SQLite keeps instants as INTEGER milliseconds since the epoch. */
export const rows = sqlRows<number>({ toDate: (ms) => new Date(ms), fromDate: (date) => date.getTime() });
