import buildAndCheckRedis from '../integration/global-setup.js';
import { ensureKokoro, ensureRecognizer } from './cache.js';

/** Build dist/, check Redis, then fetch (first run) or verify (later runs) the model and the recognizer. */
export default async function setup(): Promise<void> {
  await buildAndCheckRedis();
  const log = (l: string) => process.stdout.write(`${l}\n`);
  ensureKokoro(log);
  ensureRecognizer(log);
}
