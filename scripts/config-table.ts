// Prints the README's configuration table from the schema; paste it between the config-table markers.
import { configTable } from '../src/app/config/readme-table.js';

process.stdout.write(`${configTable()}\n`);
