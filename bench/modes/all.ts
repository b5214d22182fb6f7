/**
 * `npm run bench` / `npm run bench -- all [--quick]`: every service mode in turn, one report.
 * About 10 minutes on 2 cores; --quick is a smoke run of about 2.
 */
import { runAndReport } from '../lib/run.js';
import * as cache from './cache.js';
import * as scaling from './scaling.js';
import * as service from './service.js';
import * as soak from './soak.js';
import * as submit from './submit.js';

export async function run(args: string[]): Promise<void> {
  await runAndReport(
    'all',
    [
      { mode: 'service', measure: service.measure },
      { mode: 'submit', measure: submit.measure },
      { mode: 'cache', measure: cache.measure },
      { mode: 'scaling', measure: scaling.measure },
      { mode: 'soak', measure: soak.measure },
    ],
    args,
  );
}
