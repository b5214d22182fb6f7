/**
 * Kokoro's ONNX model with its voices: token ids + voice + speed → waveform.
 * Works with any export that has Kokoro's contract (ids named `input_ids` or
 * `tokens`, `style` [1, 256], `speed` [1]); the first output is the waveform.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OnnxSession, type Feed, type RunStats } from '../onnx/index.js';
import { MAX_TOKENS } from './vocab.js';

const STYLE_DIM = 256;
const VOICE_ROWS = 510;

export class KokoroModel {
  private readonly voices = new Map<string, Float32Array>();

  private constructor(
    private readonly session: OnnxSession,
    private readonly voicesDir: string,
    private readonly idsInput: string,
    private readonly speedType: 'float32' | 'int32',
  ) {}

  static async load(modelPath: string, voicesDir: string, intraOpThreads: number): Promise<KokoroModel> {
    const session = await OnnxSession.open(modelPath, { intraOpThreads });
    const names = session.inputs.map((i) => i.name);
    const ids = names.find((n) => n === 'input_ids' || n === 'tokens');
    if (!ids || !names.includes('style') || !names.includes('speed')) {
      throw new Error(
        `${modelPath} does not look like a Kokoro model: inputs are ${names.join(', ')}; expected input_ids|tokens, style, speed`,
      );
    }
    // Older exports take speed as int32; use whatever the model declares.
    const speedType = session.inputs.find((i) => i.name === 'speed')?.type === 'int32' ? 'int32' : 'float32';
    return new KokoroModel(session, voicesDir, ids, speedType);
  }

  /** Reads a voice file ([510, 1, 256] float32) once and keeps it. */
  async voice(name: string): Promise<Float32Array> {
    const cached = this.voices.get(name);
    if (cached) return cached;
    if (!/^[a-z]{2}_[a-z]+$/.test(name)) throw new Error(`bad voice file name ${name}`);
    const buf = await readFile(join(this.voicesDir, `${name}.bin`));
    if (buf.byteLength !== VOICE_ROWS * STYLE_DIM * 4) {
      throw new Error(
        `voice ${name}: expected ${VOICE_ROWS * STYLE_DIM * 4} bytes ([510, 1, 256] float32), got ${buf.byteLength}`,
      );
    }
    const v = new Float32Array(VOICE_ROWS * STYLE_DIM);
    new Uint8Array(v.buffer).set(buf);
    this.voices.set(name, v);
    return v;
  }

  /** Waveform (24 kHz, float) for ≤ 510 token ids read with `voice` at `speed`. */
  async infer(ids: number[], voice: Float32Array, speed: number): Promise<Float32Array> {
    if (ids.length === 0 || ids.length > MAX_TOKENS)
      throw new RangeError(`Kokoro takes 1..${MAX_TOKENS} tokens per call, got ${ids.length}`);
    const padded = new BigInt64Array(ids.length + 2);
    for (const [i, id] of ids.entries()) padded[i + 1] = BigInt(id);
    // Row n of the voice is its style for an utterance of n tokens.
    const row = Math.min(ids.length, VOICE_ROWS - 1);
    const style = voice.slice(row * STYLE_DIM, (row + 1) * STYLE_DIM);
    const speedFeed: Feed =
      this.speedType === 'int32'
        ? { type: 'int32', data: new Int32Array([Math.round(speed)]), dims: [1] }
        : { type: 'float32', data: new Float32Array([speed]), dims: [1] };
    return this.session.runFirstFloat({
      [this.idsInput]: { type: 'int64', data: padded, dims: [1, padded.length] },
      style: { type: 'float32', data: style, dims: [1, STYLE_DIM] },
      speed: speedFeed,
    });
  }

  runStats(): RunStats {
    return this.session.runStats();
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
