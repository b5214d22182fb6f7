// The page: the synthesis form, following a job to its audio, and wiring the panels.
import { UiError, forgetKey, request, requestJson, storedKey } from './api.js';
import { $, h } from './dom.js';
import { renderEngines, startEngines } from './engines.js';
import { follow } from './follow.js';
import { applyStatic, currentLanguage, formatNumber, setLanguage, t } from './i18n.js';
import { addRecent, renderRecent, setRecentActions, updateRecent } from './recent.js';
import { availabilityKey, renderVoices } from './voices.js';

// Used until /api/config answers (or if it cannot).
const state = {
  config: {
    max_chars: { jobs: null },
    formats: ['wav'],
    engines: ['auto', 'primary', 'backup'],
    speed: { min: 0.5, max: 2, default: 1 },
  },
  voices: null,
  engines: null, // the engines of the last /api/engines answer, for the voices they can offer now
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

/** The engine, format and voice choices (voices.js: those of the engines the choice can reach now). */
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
  renderVoices($('voice'), $('voice-note'), voices, $('engine').value || 'auto', state.engines);
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
    const view = {
      get: () => state.progress,
      set: (job) => {
        state.progress = job;
        renderProgress();
      },
    };
    const job = { id: sub.id, format: body.format, ...(await follow(sub.id, view)) };
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
  startEngines(names, (engines) => {
    const changed = availabilityKey(engines) !== availabilityKey(state.engines);
    state.engines = engines;
    if (changed) renderChoices();
  });
  document.body.dataset.ready = 'true';
}

init();
