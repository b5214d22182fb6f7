/**
 * `npm run hash-key -- <key> [name]`: the sha256 hex of a key, as API_KEYS and
 * ADMIN_KEYS hold it (`name:hash` when a name is given). With no key, makes a
 * random one and prints both.
 */
import { randomBytes } from 'node:crypto';
import { hashKey } from '../api/auth.js';

const [given, name] = process.argv.slice(2);
if (given === '-h' || given === '--help') {
  process.stdout.write('usage: npm run hash-key -- [<key>] [<name>]\n');
  process.exit(0);
}
if (name !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
  process.stderr.write('a key name is 1–64 letters, digits, "_", "." or "-"\n');
  process.exit(2);
}
const key = given ?? randomBytes(24).toString('base64url');
const entry = name ? `${name}:${hashKey(key)}` : hashKey(key);
if (given === undefined) process.stdout.write(`key:  ${key}\nhash: ${entry}\n`);
else process.stdout.write(`${entry}\n`);
