/**
 * The engine contract, run against an `http` engine whose remote is a
 * second instance of this service (its /v1 endpoint, protocol openai).
 */
import { afterAll } from 'vitest';
import { parseEnginesFile } from '../../src/config/engines-file.js';
import { httpDescriptor } from '../../src/engines/http/index.js';
import { engineContract } from '../contract/engine-contract.js';
import { startService } from './harness.js';
import { enginesYaml } from './remote-helpers.js';

const remote = await startService();
afterAll(async () => {
  await remote.stop();
});

const spec = parseEnginesFile(enginesYaml(remote.base), 'engines.yaml').find((s) => s.name === 'remote-openai');
if (!spec) throw new Error('remote-openai missing from the engines file');
engineContract(httpDescriptor(spec, undefined));
