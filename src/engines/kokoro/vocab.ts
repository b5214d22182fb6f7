import { readFile } from 'node:fs/promises';

/** Most phoneme tokens Kokoro takes in one call, not counting the pad at each end. */
export const MAX_TOKENS = 510;

/** Kokoro's phoneme → token id table, read from the model's config.json. */
export class Vocab {
  private constructor(private readonly ids: ReadonlyMap<string, number>) {}

  static fromConfig(config: unknown): Vocab {
    const vocab = (config as { vocab?: Record<string, unknown> } | null)?.vocab;
    if (!vocab || typeof vocab !== 'object') throw new Error('config.json has no "vocab" object');
    const ids = new Map<string, number>();
    for (const [sym, id] of Object.entries(vocab)) {
      if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0)
        throw new Error(`config.json vocab: bad id for ${JSON.stringify(sym)}`);
      ids.set(sym, id);
    }
    return new Vocab(ids);
  }

  static async load(path: string): Promise<Vocab> {
    return Vocab.fromConfig(JSON.parse(await readFile(path, 'utf8')));
  }

  /** Token ids for a phoneme string; symbols outside the vocabulary are dropped, as the reference front-end does. */
  encode(phonemes: string): number[] {
    const out: number[] = [];
    for (const ch of phonemes) {
      const id = this.ids.get(ch);
      if (id !== undefined) out.push(id);
    }
    return out;
  }

  /** Token ids and, in order of first appearance, the symbols `encode` drops. */
  encodeReport(phonemes: string): { ids: number[]; dropped: string[] } {
    const dropped = new Set<string>();
    for (const ch of phonemes) if (!this.ids.has(ch)) dropped.add(ch);
    return { ids: this.encode(phonemes), dropped: [...dropped] };
  }

  idOf(symbol: string): number | undefined {
    return this.ids.get(symbol);
  }
}
