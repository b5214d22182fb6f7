/** Helpers for the remote-engine tests: engines files, and a tiny speech server that misbehaves on demand. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { wavHeader } from '../../src/audio/wav.js';

/** Engines file with a remote reached by protocol openai (`{base}/v1`) and by protocol seed (`{base}/api/tts`). */
export function enginesYaml(
  remoteBase: string,
  opts: { keyEnv?: string; timeoutMs?: number; sampleRate?: number } = {},
): string {
  const extra = `${opts.keyEnv ? `\n    api_key_env: ${opts.keyEnv}` : ''}${opts.sampleRate ? `\n    sample_rate: ${opts.sampleRate}` : ''}`;
  return `engines:
  remote-openai:
    kind: http
    protocol: openai
    url: ${remoteBase}/v1${extra}
    model: tts-1
    voices: { en: { female: alloy, male: onyx }, zh: { female: zh-female, male: zh-male } }
    concurrency: 2
    timeout_ms: ${opts.timeoutMs ?? 20000}
  remote-seed:
    kind: http
    protocol: seed
    url: ${remoteBase}/api/tts${extra}
    voices: { en: { female: en-us-female, male: en-us-male }, zh: { female: zh-female, male: zh-male } }
    concurrency: 2
    timeout_ms: ${opts.timeoutMs ?? 20000}
`;
}

export type Misbehaviour = 'ok' | 'html502' | 'truncated' | 'overloaded' | 'hang' | 'empty' | 'text';

/** Half a second of a 440 Hz tone as 16-bit mono WAV at 24 kHz. */
export function toneWav(rate = 24000, ms = 500): Buffer {
  const n = Math.round((rate * ms) / 1000);
  const pcm = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  return Buffer.concat([wavHeader(rate, pcm.length), pcm]);
}

/**
 * A real HTTP speech server speaking protocol openai whose answer the test
 * picks: good audio, an HTML 502 page, a truncated WAV, a 429 with
 * Retry-After, nothing at all, an empty body or a text answer.
 */
export async function misbehavingServer(): Promise<{
  base: string;
  mode: Misbehaviour;
  requests: number;
  close(): Promise<void>;
  server: Server;
}> {
  const state = { mode: 'ok' as Misbehaviour, requests: 0 };
  const hung = new Set<import('node:http').ServerResponse>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      state.requests++;
      switch (state.mode) {
        case 'ok':
          return void res.writeHead(200, { 'Content-Type': 'audio/wav' }).end(toneWav());
        case 'html502':
          return void res
            .writeHead(502, { 'Content-Type': 'text/html' })
            .end(
              '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>',
            );
        case 'truncated': {
          const wav = toneWav();
          return void res.writeHead(200, { 'Content-Type': 'audio/wav' }).end(wav.subarray(0, wav.length / 2));
        }
        case 'overloaded':
          return void res
            .writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '2' })
            .end('{"error":"too many requests"}');
        case 'empty':
          return void res.writeHead(200, { 'Content-Type': 'audio/wav' }).end();
        case 'text':
          return void res.writeHead(200, { 'Content-Type': 'text/plain' }).end('queued, come back later');
        case 'hang':
          hung.add(res);
          res.on('close', () => hung.delete(res));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    server,
    get mode() {
      return state.mode;
    },
    set mode(m: Misbehaviour) {
      state.mode = m;
    },
    get requests() {
      return state.requests;
    },
    async close() {
      for (const r of hung) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
