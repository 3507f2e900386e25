// Baseline for the hashing phases: raw bcrypt throughput in a process of its own. Keeps `inFlight`
// operations queued on libuv's thread pool (UV_THREADPOOL_SIZE from the environment) for `seconds`,
// then prints one JSON line: {"op", "cost", "operations", "seconds", "perSecond"}.
// usage: node bench/bcrypt-throughput.js compare|hash <cost> <seconds> <inFlight>
import bcrypt from 'bcrypt';

const [op, costArg, secondsArg, inFlightArg] = process.argv.slice(2);
const cost = Number(costArg);
const seconds = Number(secondsArg);
const inFlight = Number(inFlightArg);
if (!['compare', 'hash'].includes(op) || !(cost >= 4) || !(seconds > 0) || !(inFlight >= 1)) {
  process.stderr.write('usage: bcrypt-throughput.js compare|hash <cost> <seconds> <inFlight>\n');
  process.exit(2);
}

const password = 'correct horse battery staple';
const hash = await bcrypt.hash(password, cost);
const once = op === 'compare' ? () => bcrypt.compare(password, hash) : () => bcrypt.hash(password, cost);

let operations = 0;
const start = performance.now();
const end = start + seconds * 1000;
// Operations that finish after the end are not counted: what is measured is a full pool for `seconds`.
const loop = async () => {
  while (performance.now() < end) {
    await once();
    if (performance.now() <= end) operations += 1;
  }
};
await Promise.all(Array.from({ length: inFlight }, loop));
process.stdout.write(`${JSON.stringify({ op, cost, operations, seconds, perSecond: operations / seconds })}\n`);
