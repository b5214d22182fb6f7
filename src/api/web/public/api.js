// Talking to the API: the stored key, the one key prompt, and errors in words a person understands.
import { t } from './i18n.js';

const KEY = 'tandem.apiKey';

/** An error to show inline; `message` is already in the interface language. */
export class UiError extends Error {
  constructor(message, { status = 0, code = 'ui', retryAfter = 0 } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

export const storedKey = () => localStorage.getItem(KEY) || '';
export function forgetKey() {
  localStorage.removeItem(KEY);
}

let prompting = null;
let declined = false;

/**
 * Ask for a key once; concurrent requests share the same prompt.
 * Resolves true when a key was entered.
 */
function askKey(rejected) {
  if (!prompting) {
    prompting = new Promise((resolve) => {
      const dialog = document.getElementById('key-dialog');
      const input = document.getElementById('key-input');
      const form = document.getElementById('key-form');
      document.getElementById('key-retry').hidden = !rejected;
      input.value = '';
      const done = (ok) => {
        form.removeEventListener('submit', onSubmit);
        dialog.removeEventListener('cancel', onCancel);
        document.getElementById('key-cancel').removeEventListener('click', onCancel);
        if (dialog.open) dialog.close();
        prompting = null;
        declined = !ok;
        resolve(ok);
      };
      const onSubmit = (e) => {
        e.preventDefault();
        const key = input.value.trim();
        if (!key) return;
        localStorage.setItem(KEY, key);
        document.dispatchEvent(new CustomEvent('tandem:key'));
        done(true);
      };
      const onCancel = (e) => {
        e.preventDefault();
        done(false);
      };
      form.addEventListener('submit', onSubmit);
      dialog.addEventListener('cancel', onCancel);
      document.getElementById('key-cancel').addEventListener('click', onCancel);
      dialog.showModal();
      input.focus();
    });
  }
  return prompting;
}

/**
 * fetch() with the stored key. A 401 asks for a key (once; background calls
 * do not ask again after the person cancelled) and retries.
 */
export async function request(path, { method = 'GET', body, background = false } = {}) {
  for (let attempt = 0; ; attempt++) {
    const headers = {};
    const key = storedKey();
    if (key) headers.Authorization = `Bearer ${key}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
      });
    } catch {
      throw new UiError(t('err.network'), { code: 'network' });
    }
    if (res.status === 401 && attempt < 3 && !(background && declined)) {
      if (await askKey(Boolean(key))) continue;
    }
    if (!res.ok) throw await errorFrom(res);
    return res;
  }
}

export async function requestJson(path, opts) {
  return (await request(path, opts)).json();
}

/** Turn an error response (`{error, code, ...details}`) into a sentence. */
export async function errorFrom(res) {
  let body = {};
  try {
    body = await res.json();
  } catch {
    // not JSON: described by its status alone
  }
  const retryAfter = Number(res.headers.get('Retry-After')) || 0;
  return new UiError(describe(res.status, body, retryAfter), {
    status: res.status,
    code: body.code || 'http',
    retryAfter,
  });
}

function describe(status, body, retryAfter) {
  switch (body.code) {
    case 'text_too_long':
      return t('err.tooLong', { length: body.length ?? '?', max: body.max_length ?? '?' });
    case 'empty_text':
      return t('err.empty');
    case 'body_too_large':
      return t('err.bodyTooLarge');
    case 'unauthorized':
      return t(body.reason === 'not_accepted' ? 'err.keyRejected' : 'err.unauthorized');
    case 'auth_throttled':
      return t('err.authThrottled', { seconds: retryAfter || body.retry_after_s || 60 });
    case 'engine_unavailable': {
      // A request pinned to an engine that cannot take it: say which, why, and what to do.
      const role = t(['primary', 'backup'].includes(body.engine) ? `roleName.${body.engine}` : 'roleName.primary');
      if (body.state === 'not_installed')
        return body.install
          ? t('err.engineNotInstalled', { role, install: body.install })
          : t('err.engineNotInstalledShort', { role });
      return t('err.engineDown', { role, seconds: retryAfter || body.retry_after || 5 });
    }
    case 'forbidden':
      return t('err.forbidden');
    case 'rate_limited':
      return t('err.rateLimited', { seconds: retryAfter || body.retry_after_s || 1 });
    case 'job_expired':
      return t('err.gone');
    case 'audio_missing':
      return t('err.audioMissing');
    case 'not_found':
      return t('err.notFound');
    case 'quota_exceeded':
      return t('err.quota', { seconds: retryAfter || 1 });
    case 'invalid_ssml':
      return t('err.ssml', { line: body.line ?? '?', column: body.column ?? '?' });
    case 'invalid_request':
      // The page's own text box: empty or blank text reads as "nothing to read", in the reader's language.
      if (body.field === 'text' && /empty|Missing/.test(body.error ?? '')) return t('err.empty');
      if (body.field === 'text' && body.error) break;
      if (body.field === 'speed')
        return t('err.field.speed', { min: body.allowed?.min ?? '?', max: body.allowed?.max ?? '?' });
      if (['voice', 'engine', 'format'].includes(body.field)) return t(`err.field.${body.field}`);
      break;
  }
  if (status >= 500) return t('err.server', { status });
  return t('err.other', { message: body.error || `HTTP ${status}` });
}
