// This browser's recent jobs, kept in localStorage, to replay or download again.
import { $, h } from './dom.js';
import { formatTime, t } from './i18n.js';

const KEY = 'tandem.recent';
const MAX = 20;

function load() {
  try {
    const list = JSON.parse(localStorage.getItem(KEY) || '[]');
    return Array.isArray(list) ? list.filter((j) => j && typeof j.id === 'string') : [];
  } catch {
    return [];
  }
}

function save(list) {
  localStorage.setItem(KEY, JSON.stringify(list.slice(0, MAX)));
}

export function addRecent(job) {
  save([job, ...load().filter((j) => j.id !== job.id)]);
  renderRecent();
}

export function updateRecent(id, patch) {
  save(load().map((j) => (j.id === id ? { ...j, ...patch } : j)));
  renderRecent();
}

let actions = { play: () => {}, download: () => {} };

/** `play(job)` and `download(job)` are called from the list's buttons. */
export function setRecentActions(a) {
  actions = a;
}

export function renderRecent() {
  const list = load();
  $('recent-empty').hidden = list.length > 0;
  $('recent').replaceChildren(
    ...list.map((job) => {
      const ready = job.status === 'succeeded';
      const note =
        job.status === 'expired'
          ? t('recent.expired')
          : job.status === 'failed'
            ? t('recent.failed')
            : ready
              ? Number.isFinite(job.duration_ms)
                ? t('unit.seconds', { n: (job.duration_ms / 1000).toFixed(1) })
                : ''
              : t('recent.pending');
      return h(
        'li',
        { dataset: { id: job.id, status: job.status } },
        h('p', { class: 'snippet', title: job.text }, job.text),
        h(
          'div',
          { class: 'recent-row' },
          h('span', { class: 'muted small' }, `${formatTime(job.at)} · ${note}`),
          h(
            'span',
            { class: 'recent-actions' },
            h(
              'button',
              { type: 'button', class: 'small-button', disabled: !ready, onclick: () => actions.play(job) },
              t('recent.play'),
            ),
            h(
              'button',
              { type: 'button', class: 'small-button', disabled: !ready, onclick: () => actions.download(job) },
              t('recent.download'),
            ),
            h(
              'button',
              {
                type: 'button',
                class: 'small-button ghost',
                'aria-label': t('recent.remove'),
                title: t('recent.remove'),
                onclick: () => remove(job.id),
              },
              '×',
            ),
          ),
        ),
      );
    }),
  );
}

function remove(id) {
  save(load().filter((j) => j.id !== id));
  renderRecent();
}
