// The engine status panel: GET /api/engines every few seconds; while that
// endpoint does not exist, /readyz's live worker counts.
import { request } from './api.js';
import { $, h } from './dom.js';
import { formatNumber, formatTime, t } from './i18n.js';

const EVERY_MS = 4000;
let last = null; // { kind: 'full' | 'basic' | 'none', data, at }
let names = { primary: null, backup: null };
let timer = null;
let onEngines = () => {};
/**
 * Set when /api/engines was refused for want of a key (none given, or the address is throttled):
 * until a key is entered the panel reads the open /readyz instead, so a page left open without a
 * key does not keep failing authentication (each failure counts toward AUTH_FAILURES_PER_MINUTE).
 */
let needKey = false;
document.addEventListener('tandem:key', () => {
  needKey = false;
});

/**
 * Start polling; `engineNames` maps each role to its engine (from /api/voices); `changed` gets each
 * answer's `engines` (null when there is none).
 */
export function startEngines(engineNames, changed) {
  if (engineNames) names = engineNames;
  if (changed) onEngines = changed;
  if (timer) clearInterval(timer);
  tick();
  timer = setInterval(tick, EVERY_MS);
}

export function renderEngines() {
  const box = $('engines');
  box.replaceChildren();
  if (!last || last.kind === 'none') {
    box.append(h('p', { class: 'muted' }, t('engines.unavailable')));
  } else if (last.kind === 'full') {
    box.append(...full(last.data));
  } else {
    box.append(...basic(last.data));
  }
  $('engines-updated').textContent =
    last && last.kind !== 'none' ? t('engines.updated', { time: formatTime(last.at) }) : '';
}

async function tick() {
  if (needKey) last = await readyzFallback();
  else {
    try {
      const data = await (await request('/api/engines', { background: true })).json();
      last = { kind: 'full', data, at: new Date().toISOString() };
    } catch (err) {
      needKey = err.status === 401 || err.code === 'auth_throttled';
      last = err.status === 404 || needKey ? await readyzFallback() : { kind: 'none', at: new Date().toISOString() };
    }
  }
  onEngines(last.kind === 'full' ? (last.data.engines ?? null) : last.kind === 'basic' ? byRole(last.data) : null);
  renderEngines();
}

async function readyzFallback() {
  try {
    const res = await fetch('/readyz', { cache: 'no-store' });
    const body = await res.json();
    return { kind: 'basic', data: body.engines || {}, at: new Date().toISOString() };
  } catch {
    return { kind: 'none', at: new Date().toISOString() };
  }
}

function badge(state) {
  const s = ['up', 'down', 'not_installed'].includes(state) ? state : 'unknown';
  return h('span', { class: `badge ${s}`, dataset: { state: s } }, t(`state.${s}`));
}

function full(data) {
  const route = data.route || {};
  const engines = data.engines || {};
  const lastSwitch = latest(route.history);
  const current = route.current
    ? `${t(`role.${route.current}`)} · ${engines[route.current]?.name ?? ''}`
    : t('engines.unknown');
  const out = [
    h(
      'dl',
      { class: 'route' },
      h('dt', {}, t('engines.route')),
      h(
        'dd',
        { id: 'route-current' },
        h('strong', {}, current),
        route.since ? ` — ${t('engines.since', { time: formatTime(route.since) })}` : '',
      ),
      reasonText(route.reason_code) ? h('dd', { class: 'muted small' }, reasonText(route.reason_code)) : null,
      route.recovery?.waiting_for_idle_backup
        ? h(
            'dd',
            { id: 'route-waiting', class: 'small' },
            t('engines.waitingIdle', {
              n: formatNumber(engines.backup?.auto_jobs_in_progress ?? 0),
              time: formatTime(route.recovery.waiting_since),
              max: formatNumber(Math.round((route.recovery.idle_max_wait_ms ?? 0) / 1000)),
            }),
          )
        : null,
      h('dt', {}, t('engines.mode')),
      h('dd', {}, route.mode ? t(`mode.${route.mode}`) : t('engines.unknown')),
      h('dt', {}, t('engines.lastSwitch')),
      h(
        'dd',
        {},
        lastSwitch
          ? t('engines.switch', {
              from: t(`role.${lastSwitch.from}`),
              to: t(`role.${lastSwitch.to}`),
              time: formatTime(lastSwitch.at),
              reason: reasonText(lastSwitch.reason_code) || t('reason.other'),
            }) + (lastSwitch.recovery ? ` — ${t(`engines.recovery.${lastSwitch.recovery}`)}` : '')
          : t('engines.noSwitch'),
      ),
    ),
  ];
  const list = h('ul', { class: 'engines' });
  for (const role of ['primary', 'backup']) {
    const e = engines[role];
    if (!e) continue;
    const q = e.queue || {};
    const probe = latest(e.probes);
    list.append(
      h(
        'li',
        { dataset: { role } },
        h(
          'div',
          { class: 'engine-head' },
          h('span', { class: 'role' }, t(`role.${role}`)),
          h('span', { class: 'name' }, e.name ?? '?'),
          badge(e.state),
        ),
        detailLine(e, q, probe),
      ),
    );
  }
  out.push(list);
  return out;
}

/** A routing reason in the reader's language, from its code; '' for none (never the server's English). */
function reasonText(code) {
  return code && code !== 'initial' ? t(`reason.${code}`) : '';
}

/**
 * One line under an engine's state, in the reader's language, from the server's codes: what is wrong
 * and what to do, or, while it is up, its workers and queue. Server sentences (with paths) are not shown.
 */
function detailLine(e, q, probe) {
  const code = e.detail_code ?? (e.state === 'up' ? 'up' : 'unknown');
  if (code === 'up') {
    return h(
      'p',
      { class: 'small detail' },
      t('engines.workers', { n: formatNumber(e.live_workers ?? 0) }),
      ' · ',
      t('engines.queue', { waiting: q.waiting ?? 0, active: q.active ?? 0, failed: q.failed ?? 0 }),
      probe?.ok ? ` · ${t('engines.probe', { ms: formatNumber(probe.ms), time: formatTime(probe.at) })}` : '',
      e.auto_jobs_in_progress ? ` · ${t('engines.autoJobs', { n: formatNumber(e.auto_jobs_in_progress) })}` : '',
    );
  }
  if (code === 'not_installed') {
    return h(
      'p',
      { class: 'small detail' },
      t('detail.not_installed'),
      e.install ? [' ', h('code', {}, e.install)] : '',
    );
  }
  const known = ['no_live_worker', 'failing_checks'].includes(code) ? code : 'unknown';
  return h('p', { class: 'small detail' }, t(`detail.${known}`, { n: formatNumber(e.failures ?? 0) }));
}

/** /readyz's engines by role: its entries name their roles (older servers: the names from /api/voices). */
function byRole(engineWorkers) {
  const out = {};
  for (const role of ['primary', 'backup']) {
    const found = Object.entries(engineWorkers).find(([, e]) => Array.isArray(e?.role) && e.role.includes(role));
    const name = found?.[0] ?? names[role];
    const e = found?.[1] ?? (name ? engineWorkers[name] : undefined);
    const live = e?.live_workers;
    const state = e?.state ?? (live === undefined ? 'unknown' : live > 0 ? 'up' : 'down');
    out[role] = { name, state, live_workers: live, install: e?.install };
  }
  return out;
}

function basic(engineWorkers) {
  const list = h('ul', { class: 'engines' });
  for (const [role, e] of Object.entries(byRole(engineWorkers))) {
    list.append(
      h(
        'li',
        { dataset: { role } },
        h(
          'div',
          { class: 'engine-head' },
          h('span', { class: 'role' }, t(`role.${role}`)),
          h('span', { class: 'name' }, e.name ?? '?'),
          badge(e.state),
        ),
        e.state === 'not_installed'
          ? h(
              'p',
              { class: 'small detail' },
              t('detail.not_installed'),
              e.install ? [' ', h('code', {}, e.install)] : '',
            )
          : e.live_workers === undefined
            ? null
            : h('p', { class: 'small' }, t('engines.workers', { n: formatNumber(e.live_workers) })),
      ),
    );
  }
  return [list, h('p', { class: 'muted small' }, t('engines.basic'))];
}

/** The entry with the latest `at`, whichever order the list is in. */
function latest(list) {
  if (!Array.isArray(list)) return null;
  return list.reduce((a, b) => (!a || Date.parse(b.at) > Date.parse(a.at) ? b : a), null);
}
