/** The model installer against a local HTTP server: resume, checksum, atomic placement, offline --from. */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { download, installModel, type ManifestModel } from '../../src/cli/model-installer.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const weights = Buffer.alloc(3_000_000, 7);
weights.write('weights');
const config = Buffer.from(JSON.stringify({ vocab: { a: 1 } }));
const voice = Buffer.alloc(510 * 256 * 4, 1);

let server: Server;
let base = '';
let cutNext = false;
const ranges: string[] = [];
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'tandem-installer-'));
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  const files: Record<string, Buffer> = {
    '/config.json': config,
    '/voices/af_heart.bin': voice,
    '/model.onnx': weights,
  };
  server = createServer((req, res) => {
    const body = files[req.url ?? ''];
    if (!body) return void res.writeHead(404).end();
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (req.url === '/model.onnx') ranges.push(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const headers: Record<string, string | number> = { 'Content-Length': body.length - start };
    if (req.url === '/model.onnx') headers['X-Linked-ETag'] = `"${sha(weights)}"`;
    if (m) headers['Content-Range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    res.writeHead(m ? 206 : 200, headers);
    if (cutNext) {
      // A connection that breaks a third of the way through.
      cutNext = false;
      // Close (not reset) the connection once the bytes are out, so the client keeps what it received
      // even on a loaded machine, and sees a body shorter than Content-Length.
      res.write(body.subarray(start, start + 1_000_000), () => setTimeout(() => res.socket?.end(), 50));
      return;
    }
    res.end(body.subarray(start));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const manifest = (weightsSha: string | null = null): ManifestModel => ({
  description: 'test',
  license: 'Apache-2.0',
  dir: 'kokoro',
  variants: { fp32: { path: 'model.onnx', url: `${base}/model.onnx`, sha256: weightsSha } },
  files: [
    { path: 'config.json', url: `${base}/config.json`, sha256: sha(config) },
    { path: 'voices/af_heart.bin', url: `${base}/voices/af_heart.bin`, sha256: sha(voice) },
  ],
});
const quiet = { log: () => undefined };

describe('model installer', () => {
  it('resumes a broken download where it stopped', async () => {
    const part = join(tmp(), 'model.onnx.part');
    cutNext = true;
    ranges.length = 0;
    await expect(download(`${base}/model.onnx`, part, 'model.onnx', quiet)).rejects.toThrow();
    const partial = readFileSync(part).length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(weights.length);
    const published = await download(`${base}/model.onnx`, part, 'model.onnx', quiet);
    expect(ranges[1]).toBe(`bytes=${partial}-`);
    expect(readFileSync(part).equals(weights)).toBe(true);
    expect(published).toBe(sha(weights));
  });

  it('downloads, verifies and installs every file, weights included', async () => {
    const modelsDir = tmp();
    const seen: number[] = [];
    await installModel('kokoro', manifest(), {
      modelsDir,
      variant: 'fp32',
      ...quiet,
      progress: (done) => seen.push(done),
    });
    expect(readFileSync(join(modelsDir, 'kokoro', 'model.onnx')).equals(weights)).toBe(true);
    expect(existsSync(join(modelsDir, 'kokoro', 'voices', 'af_heart.bin'))).toBe(true);
    expect(JSON.parse(readFileSync(join(modelsDir, 'kokoro', 'installed.json'), 'utf8')).sha256['model.onnx']).toBe(
      sha(weights),
    );
    expect(seen.length).toBeGreaterThan(0);
    // No staging leftovers next to the install.
    expect(readdirSync(modelsDir)).toEqual(['kokoro']);
  });

  it('refuses a file whose sha256 does not match, leaving nothing under its final name', async () => {
    const modelsDir = tmp();
    await expect(
      installModel('kokoro', manifest('0'.repeat(64)), { modelsDir, variant: 'fp32', ...quiet }),
    ).rejects.toThrow(/sha256/);
    expect(existsSync(join(modelsDir, 'kokoro', 'model.onnx'))).toBe(false);
  });

  it('installs offline from a local folder (--from DIR, --weights FILE)', async () => {
    const src = tmp();
    mkdirSync(join(src, 'voices'));
    writeFileSync(join(src, 'config.json'), config);
    writeFileSync(join(src, 'voices', 'af_heart.bin'), voice);
    const w = join(tmp(), 'kokoro-weights.onnx');
    writeFileSync(w, weights);
    const modelsDir = tmp();
    await expect(
      installModel('kokoro', manifest(), { modelsDir, variant: 'fp32', from: src, ...quiet }),
    ).rejects.toThrow(/--weights FILE/);
    expect(existsSync(join(modelsDir, 'kokoro', 'config.json'))).toBe(false);
    await installModel('kokoro', manifest(sha(weights)), {
      modelsDir,
      variant: 'fp32',
      from: src,
      weights: w,
      ...quiet,
    });
    expect(readFileSync(join(modelsDir, 'kokoro', 'model.onnx')).equals(weights)).toBe(true);
  });
});
