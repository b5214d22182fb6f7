import { stringifySync } from 'subtitle';
import type { JobTimings } from '../domain/timing.js';
import { buildCues, type Cue } from './cues.js';

export const CAPTION_FORMATS = ['vtt', 'srt', 'json'] as const;
export type CaptionFormat = (typeof CAPTION_FORMATS)[number];

export const CAPTION_CONTENT_TYPES: Record<CaptionFormat, string> = {
  vtt: 'text/vtt; charset=utf-8',
  srt: 'application/x-subrip; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

/** Cue text may not hold a blank line, and WebVTT reserves <, > and &. */
const oneLine = (s: string) => s.replace(/\s+/gu, ' ').replace(/-->/gu, '->');
const escapeVtt = (s: string) => s.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;');

/** hh:mm:ss.ttt, as WebVTT inner timestamps are written. */
function vttTime(ms: number): string {
  const t = Math.floor(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(Math.floor(t / 3_600_000))}:${pad(Math.floor(t / 60_000) % 60)}:${pad(Math.floor(t / 1000) % 60)}.${pad(t % 1000, 3)}`;
}

/** Cue text with word timings as WebVTT inner timestamps (<00:00:01.200>word), where they are known. */
function vttText(cue: Cue): string {
  const text = cue.text;
  let out = '';
  let from = 0;
  let last = cue.startMs;
  for (const w of cue.words) {
    // Inner timestamps must rise strictly inside the cue, at word starts in reading order.
    if (w.offset <= from || w.offset >= text.length || w.startMs <= last || w.startMs >= cue.endMs) continue;
    out += `${escapeVtt(text.slice(from, w.offset))}<${vttTime(w.startMs)}>`;
    from = w.offset;
    last = w.startMs;
  }
  return oneLine(out + escapeVtt(text.slice(from)));
}

/** Whole milliseconds, never later than the exact time, so a cue never starts after its speech. */
const ms = (x: number) => Math.floor(x);

export function renderCaptions(t: JobTimings, format: CaptionFormat): string {
  const cues = buildCues(t);
  if (format === 'json') {
    return JSON.stringify({
      sample_rate: t.sampleRate,
      duration_ms: (t.samples * 1000) / t.sampleRate,
      segments: t.segments.map((s) => ({
        start_ms: (s.start * 1000) / t.sampleRate,
        end_ms: (s.end * 1000) / t.sampleRate,
        text: s.text,
        words: (s.words ?? []).map(([start, end, offset, length]) => ({
          start_ms: (start * 1000) / t.sampleRate,
          end_ms: (end * 1000) / t.sampleRate,
          text: s.text.slice(offset, offset + length),
          offset,
          length,
        })),
      })),
      cues: cues.map((c) => ({ start_ms: c.startMs, end_ms: c.endMs, text: c.text })),
    });
  }
  return stringifySync(
    cues.map((c) => ({
      type: 'cue' as const,
      data: {
        start: ms(c.startMs),
        end: Math.max(ms(c.startMs) + 1, ms(c.endMs)),
        text: format === 'vtt' ? vttText(c) : oneLine(c.text),
      },
    })),
    { format: format === 'vtt' ? 'WebVTT' : 'SRT' },
  );
}
