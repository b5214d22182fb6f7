import { ConfigError } from '../config/load.js';
import { loadEnginesFile } from '../config/engines-file.js';
import type { Config } from '../config/schema.js';
import { httpDescriptor } from '../engines/http/index.js';
import { addEngines, builtInEngines, engines, isKnownEngine } from '../engines/registry.js';

/**
 * Register the engines of ENGINES_FILE in this process and check that the
 * primary and backup name known engines. Each remote engine's API key is read
 * here, from the variable its `api_key_env` names, and handed to it alone.
 */
export function registerConfiguredEngines(config: Config, env: Record<string, string | undefined>): void {
  if (config.enginesFile) {
    const specs = loadEnginesFile(config.enginesFile, builtInEngines);
    addEngines(specs.map((s) => httpDescriptor(s, s.api_key_env ? env[s.api_key_env] || undefined : undefined)));
  }
  const problems: string[] = [];
  for (const [name, value] of [
    ['PRIMARY_ENGINE', config.primaryEngine],
    ['BACKUP_ENGINE', config.backupEngine],
  ] as const) {
    if (!isKnownEngine(value))
      problems.push(
        `${name}="${value}": unknown engine; known engines: ${[...engines.keys()].join(', ')}${config.enginesFile ? '' : ' (define more in ENGINES_FILE)'}`,
      );
  }
  if (problems.length) throw new ConfigError(problems);
}
