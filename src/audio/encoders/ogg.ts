/**
 * A small Ogg muxer (RFC 3533) for one logical stream: packets in, pages out,
 * each page with its CRC. Enough for Ogg Opus (RFC 7845).
 */

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

/** Ogg's CRC-32: polynomial 0x04c11db7, not reflected, initial value 0, no final xor. */
export function oggCrc32(buf: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < buf.length; i++)
    crc = ((crc << 8) ^ (CRC_TABLE[((crc >>> 24) ^ (buf[i] ?? 0)) & 0xff] ?? 0)) >>> 0;
  return crc >>> 0;
}

export const HEADER_TYPE = { continued: 1, bos: 2, eos: 4 } as const;

/** Most lacing values one page may hold. */
const MAX_SEGMENTS = 255;

export class OggMuxer {
  private seq = 0;
  constructor(private readonly serial: number) {}

  /**
   * Pages holding whole `packets`, each with the granule position after it
   * (a page's granule is that of the last packet ending on it). `flags` may
   * set bos (on the first page) or eos (on the last).
   */
  pages(packets: { data: Buffer; granule: bigint }[], flags = 0): Buffer {
    const out: Buffer[] = [];
    let lacing: number[] = [];
    let bodies: Buffer[] = [];
    let granule = -1n;
    const flush = (last: boolean) => {
      let type = out.length === 0 ? flags & HEADER_TYPE.bos : 0;
      if (last) type |= flags & HEADER_TYPE.eos;
      out.push(this.page(lacing, Buffer.concat(bodies), granule, type));
      lacing = [];
      bodies = [];
    };
    for (const p of packets) {
      const segs = Math.floor(p.data.length / 255) + 1;
      if (segs > MAX_SEGMENTS) throw new RangeError('packet too large for this muxer');
      if (lacing.length + segs > MAX_SEGMENTS) flush(false);
      for (let s = 0; s < segs - 1; s++) lacing.push(255);
      lacing.push(p.data.length % 255);
      bodies.push(p.data);
      granule = p.granule;
    }
    if (lacing.length > 0 || flags & HEADER_TYPE.eos) flush(true);
    return Buffer.concat(out);
  }

  private page(lacing: number[], body: Buffer, granule: bigint, type: number): Buffer {
    const h = Buffer.alloc(27 + lacing.length);
    h.write('OggS', 0, 'ascii');
    h[4] = 0; // version
    h[5] = type;
    h.writeBigInt64LE(granule, 6);
    h.writeUInt32LE(this.serial >>> 0, 14);
    h.writeUInt32LE(this.seq++, 18);
    h.writeUInt32LE(0, 22); // CRC, filled below
    h[26] = lacing.length;
    h.set(lacing, 27);
    const page = Buffer.concat([h, body]);
    page.writeUInt32LE(oggCrc32(page), 22);
    return page;
  }
}
