// The page: the synthesis form, following a job to its audio, and wiring the panels.
import { UiError, forgetKey, request, requestJson, storedKey } from './api.js';
import { $, h, sleep } from './dom.js';
import { renderEngines, startEngines } from './engines.js';
import { applyStatic, currentLanguage, formatNumber, setLanguage, t } from './i18n.js';
import { addRecent, renderRecent, setRecentActions, updateRecent } from './recent.js';

const POLL_MS = 300;
// Used until /api/config answers (or if it cannot).
const state = {
  config: {
    max_chars: { jobs: null },
    formats: ['wav'],
    engines: ['auto', 'primary', 'backup'],
    speed: { min: 0.5, max: 2, default: 1 },
  },
  voices: null,
  audioUrl: null,
  progress: null, // last job view while one runs, so a language switch can redraw it
  facts: null,
};

const countChars = (s) => [...s].length;

function renderCount() {
  const n = countChars($('text').value);
  const max = state.config.max_chars.jobs;
  const el = $('count');
  el.textContent = max ? t('form.count', { n: formatNumber(n), max: formatNumber(max) }) : formatNumber(n);
  el.classList.toggle('over', Boolean(max && n > max));
}

function fillSelect(select, options, keep) {
  const previous = keep ? select.value : undefined;
  select.replaceChildren(...options.map(([value, label]) => h('option', { value }, label)));
  if (previous && options.some(([v]) => v === previous)) select.value = previous;
}

/** Voices for the engine choice: the generic ones, then the named voices of the engine(s) it can run on. */
function renderChoices() {
  const { config, voices } = state;
  fillSelect(
    $('engine'),
    config.engines.map((e) => [e, t(`engine.${e}`)]),
    true,
  );
  // Raw PCM has no header a browser could play: it is for programs, not for this page.
  fillSelect(
    $('format'),
    config.formats.filter((f) => f !== 'pcm').map((f) => [f, f.toUpperCase()]),
    true,
  );
  const engine = $('engine').value || 'auto';
  const roles = engine === 'auto' ? ['primary', 'backup'] : [engine];
  const named = new Map();
  for (const role of roles) for (const v of voices?.[role]?.voices ?? []) if (!named.has(v.name)) named.set(v.name, v);
  const generic = (voices?.generic ?? ['female', 'male']).map((g) => [g, t(`voice.${g}`)]);
  fillSelect(
    $('voice'),
    [...generic, ...[...named.values()].map((v) => [v.name, `${v.name} — ${v.description}`])],
    true,
  );
  const speed = $('speed');
  speed.min = String(config.speed.min);
  speed.max = String(config.speed.max);
}

function renderSpeed() {
  $('speed-value').textContent = `${Number($('speed').value).toFixed(1)}×`;
}

function showError(err) {
  const el = $('error');
  el.textContent = err instanceof UiError ? err.message : t('err.other', { message: err?.message ?? String(err) });
  el.hidden = false;
}

function clearError() {
  $('error').hidden = true;
  $('error').textContent = '';
}

function renderProgress() {
  const job = state.progress;
  if (!job) return;
  const bar = $('progress');
  const total = job.progress?.chunks_total;
  const done = job.progress?.chunks_done ?? 0;
  if (job.status === 'succeeded') {
    bar.max = 1;
    bar.value = 1;
  } else if (total) {
    bar.max = total;
    bar.value = done;
  } else {
    bar.removeAttribute('value');
  }
  let text;
  if (job.status === 'queued') text = t('job.queued');
  else if (job.status === 'running') text = total ? t('job.running', { done, total }) : t('job.runningUnknown');
  else if (job.status === 'succeeded') {
    // Every field of a job view is read as optional: the line is shortened rather than the page failing.
    const ms = job.audio?.duration_ms;
    const engine = job.engine?.used ?? job.engine?.name;
    text =
      Number.isFinite(ms) && engine
        ? t('job.succeeded', { seconds: (ms / 1000).toFixed(1), engine })
        : t('job.succeededShort');
  } else text = '';
  $('progress-text').textContent = text;
  $('progress-box').dataset.status = job.status;
}

const FINAL = ['succeeded', 'failed', 'canceled'];

/**
 * Follow the job until it is final: the server-sent event stream first (read with fetch, so the
 * API key goes along), polling if the stream cannot be had or breaks off.
 */
async function follow(id) {
  try {
    const job = await followEvents(id);
    if (job) return job;
  } catch (err) {
    if (err instanceof UiError && err.code !== 'rate_limited' && err.code !== 'network') throw err;
  }
  return poll(id);
}

/** Read GET /api/jobs/:id/events; resolves to the final job, or null if the stream ended early. */
async function followEvents(id) {
  const res = await request(`/api/jobs/${id}/events`);
  if (!res.body) return null;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return null;
    buf += value;
    for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (!event || !data) continue;
      const d = JSON.parse(data);
      if (event === 'end') {
        state.progress = d;
        renderProgress();
        await reader.cancel().catch(() => undefined);
        return d;
      }
      // A final status is drawn with the whole job, which the `end` event brings.
      if (event === 'status' && FINAL.includes(d.status)) continue;
      const prev = state.progress ?? {};
      state.progress =
        event === 'progress'
          ? {
              ...prev,
              status: prev.status === 'queued' || !prev.status ? 'running' : prev.status,
              progress: { chunks_done: d.chunks_done, chunks_total: d.chunks_total },
            }
          : { ...prev, status: d.status };
      renderProgress();
    }
  }
}

/** Poll the job until it is final; a 429 waits as long as the server asks. */
async function poll(id) {
  for (;;) {
    try {
      const job = await requestJson(`/api/jobs/${id}`);
      state.progress = job;
      renderProgress();
      if (FINAL.includes(job.status)) return job;
      await sleep(POLL_MS);
    } catch (err) {
      if (err instanceof UiError && err.code === 'rate_limited') await sleep(Math.max(1, err.retryAfter) * 1000);
      else throw err;
    }
  }
}

async function fetchAudio(job) {
  const res = await request(`/api/jobs/${job.id}/audio`);
  return res.blob();
}

function setAudio(blob, job) {
  if (state.audioUrl) URL.revokeObjectURL(state.audioUrl);
  state.audioUrl = URL.createObjectURL(blob);
  const player = $('player');
  player.src = state.audioUrl;
  const link = $('download');
  link.href = state.audioUrl;
  link.download = `tandem-${job.id.slice(0, 8)}.${job.format || 'wav'}`;
  $('result').hidden = false;
}

async function synthesize(e) {
  e.preventDefault();
  const button = $('synthesize');
  if (button.disabled) return;
  clearError();
  $('result').hidden = true;
  const text = $('text').value;
  const body = {
    text,
    voice: $('voice').value || 'female',
    speed: Number($('speed').value),
    engine: $('engine').value || 'auto',
    format: $('format').value || 'wav',
  };
  button.disabled = true;
  $('progress-box').hidden = true;
  try {
    const sub = await requestJson('/api/jobs', { method: 'POST', body });
    addRecent({
      id: sub.id,
      text: text.slice(0, 140),
      at: new Date().toISOString(),
      format: body.format,
      status: 'queued',
    });
    state.progress = { status: sub.status, progress: { chunks_done: 0, chunks_total: null } };
    $('progress-box').hidden = false;
    renderProgress();
    const job = { id: sub.id, format: body.format, ...(await follow(sub.id)) };
    if (job.status !== 'succeeded') {
      updateRecent(job.id, { status: 'failed' });
      throw new UiError(t('err.failed', { message: job.error?.message ?? job.status }));
    }
    setAudio(await fetchAudio(job), job);
    $('result-facts').textContent = resultFacts(job);
    updateRecent(job.id, { status: 'succeeded', duration_ms: job.audio?.duration_ms });
  } catch (err) {
    showError(err);
  } finally {
    button.disabled = false;
  }
}

/** `WAV · 24,000 Hz · 120 KB`, leaving out whatever the job view does not carry. */
function resultFacts(job) {
  const { bytes, sample_rate: rate } = job.audio ?? {};
  return [
    String(job.format ?? '').toUpperCase(),
    Number.isFinite(rate) ? `${formatNumber(rate)} Hz` : '',
    Number.isFinite(bytes) ? `${formatNumber(Math.round(bytes / 1024))} KB` : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

async function replay(job) {
  clearError();
  try {
    const blob = await fetchAudio(job);
    state.progress = null;
    $('progress-box').hidden = true;
    $('result-facts').textContent = '';
    setAudio(blob, job);
    await $('player')
      .play()
      .catch(() => undefined);
  } catch (err) {
    if (err.status === 404 || err.status === 410) updateRecent(job.id, { status: 'expired' });
    showError(err);
  }
}

async function downloadAgain(job) {
  clearError();
  try {
    const url = URL.createObjectURL(await fetchAudio(job));
    const a = h('a', { href: url, download: `tandem-${job.id.slice(0, 8)}.${job.format || 'wav'}` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (err) {
    if (err.status === 404 || err.status === 410) updateRecent(job.id, { status: 'expired' });
    showError(err);
  }
}

function renderKeyStatus() {
  $('key-status').hidden = !storedKey();
}

function rerender() {
  applyStatic();
  renderCount();
  renderChoices();
  renderProgress();
  renderEngines();
  renderRecent();
}

async function init() {
  applyStatic();
  renderSpeed();
  renderCount();
  renderKeyStatus();
  renderRecent();
  renderChoices();
  $('text').addEventListener('input', renderCount);
  $('speed').addEventListener('input', renderSpeed);
  $('engine').addEventListener('change', renderChoices);
  $('synth-form').addEventListener('submit', synthesize);
  $('lang-toggle').addEventListener('click', () => {
    setLanguage(currentLanguage() === 'zh' ? 'en' : 'zh');
    rerender();
  });
  $('key-forget').addEventListener('click', () => {
    forgetKey();
    renderKeyStatus();
  });
  document.addEventListener('tandem:key', renderKeyStatus);
  setRecentActions({ play: replay, download: downloadAgain });

  let names;
  try {
    const [config, voices] = await Promise.all([requestJson('/api/config'), requestJson('/api/voices')]);
    state.config = config;
    state.voices = voices;
    names = { primary: voices.primary?.engine ?? null, backup: voices.backup?.engine ?? null };
    $('speed').value = String(config.speed.default);
    renderSpeed();
    renderChoices();
    renderCount();
  } catch (err) {
    showError(err);
  }
  startEngines(names);
  document.body.dataset.ready = 'true';
}

init();
