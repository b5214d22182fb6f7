/** Prints the settings table the README carries (`npm run settings:table`). */
import { settingsTable } from '../config/load.js';

process.stdout.write(`${settingsTable()}\n`);
