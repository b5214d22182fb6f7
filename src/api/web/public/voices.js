// The voice choice: the generic voices, then the named voices of the engines a request can reach
// now, in the reader's language. Voices of an engine that cannot take work (not installed, no live
// worker) are listed apart and cannot be picked, and a note says why: the server would otherwise
// read them with another engine's voice of the same gender.
import { h } from './dom.js';
import { t } from './i18n.js';

/** `af_bella — American English, female`, from the voice's fields (the server's description is English). */
export function voiceLabel(v) {
  const accentKey = `locale.${v.locale ?? v.language}`;
  const accent = t(accentKey);
  // A locale this page has no words for (a remote engine's): the server's own description.
  if (accent === accentKey) return `${v.name} — ${v.description ?? ''}`;
  const words = t('voice.desc', { accent, gender: t(`gender.${v.gender}`) });
  return `${v.name} — ${words}${v.alias_of ? ` (${v.alias_of})` : ''}`;
}

/** Whether the engine behind `role` can take work now; unknown (no status yet) counts as yes. */
const ready = (engines, role) => {
  const state = engines?.[role]?.state;
  return state === undefined || state === 'up';
};

/**
 * The voice options for an engine choice (`auto`, `primary`, `backup`), given `/api/voices` and the
 * `engines` of `/api/engines` (or null). Returns the named voices that can be used now, those that
 * cannot, and a note naming the engine that is out and why.
 */
export function voiceChoices(voices, choice, engines) {
  const roles = choice === 'auto' ? ['primary', 'backup'] : [choice];
  const up = roles.filter((r) => ready(engines, r));
  // Auto with no engine up: nothing to tell apart, every voice is listed as it is.
  const reachable = choice === 'auto' && up.length === 0 ? roles : up;
  const now = new Map();
  for (const role of reachable) for (const v of voices?.[role]?.voices ?? []) if (!now.has(v.name)) now.set(v.name, v);
  const out = new Map();
  const notes = [];
  for (const role of roles.filter((r) => !reachable.includes(r))) {
    const name = voices?.[role]?.engine ?? engines?.[role]?.name ?? role;
    const state = engines?.[role]?.state === 'not_installed' ? 'not_installed' : 'down';
    notes.push(t(choice === 'auto' ? `voice.note.${state}` : `voice.note.pinned.${state}`, { engine: name }));
    for (const v of voices?.[role]?.voices ?? [])
      if (!now.has(v.name) && !out.has(v.name)) out.set(v.name, { v, name });
  }
  return { now: [...now.values()], out: [...out.values()], note: notes.join(' ') };
}

/** Fill the voice select (keeping the choice while it can still be made) and its note. */
export function renderVoices(select, noteEl, voices, choice, engines) {
  const previous = select.value;
  const { now, out, note } = voiceChoices(voices, choice, engines);
  const option = (v, disabled = false) => h('option', { value: v.name, disabled }, voiceLabel(v));
  const generic = (voices?.generic ?? ['female', 'male']).map((g) => h('option', { value: g }, t(`voice.${g}`)));
  const children = [...generic];
  if (out.length === 0) children.push(...now.map((v) => option(v)));
  else {
    if (now.length) children.push(h('optgroup', { label: t('voice.group.now') }, ...now.map((v) => option(v))));
    const byEngine = new Map();
    for (const { v, name } of out) byEngine.set(name, [...(byEngine.get(name) ?? []), v]);
    for (const [name, list] of byEngine)
      children.push(
        h('optgroup', { label: t('voice.group.out', { engine: name }) }, ...list.map((v) => option(v, true))),
      );
  }
  select.replaceChildren(...children);
  const usable = [...select.options].some((o) => o.value === previous && !o.disabled);
  if (previous && usable) select.value = previous;
  noteEl.textContent = note;
  noteEl.hidden = !note;
}

/** What decides the voice list, as a string: the list is redrawn only when it changes. */
export const availabilityKey = (engines) =>
  ['primary', 'backup'].map((r) => `${r}:${engines?.[r]?.state ?? '?'}`).join(',');
