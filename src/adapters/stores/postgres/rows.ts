import { sqlRows } from '../sql-rows.js';

/** timestamptz columns come back from the driver as Dates, with the microseconds a Date cannot hold left at 0. */
export const rows = sqlRows<Date>({ toDate: (date) => date, fromDate: (date) => date });
