// Interface text in English and Chinese. `t(key, params)` fills {name} placeholders;
// elements carry data-i18n (text), data-i18n-placeholder, data-i18n-label (aria-label).

const STRINGS = {
  en: {
    'app.tagline': 'Text to speech for Chinese, English and mixed text',
    'lang.switch': '中文',
    'lang.switchLabel': 'Switch the interface to Chinese',
    'nav.admin': 'Queues (admin)',
    'key.set': 'Key saved',
    'key.forget': 'Forget key',
    'key.title': 'API key needed',
    'key.explain': 'This service needs an API key. It is kept in this browser only.',
    'key.retry': 'That key was not accepted. Try another one.',
    'key.label': 'API key',
    'key.save': 'Use this key',
    'key.cancel': 'Cancel',
    'form.title': 'Synthesize',
    'form.text': 'Text',
    'form.placeholder': 'Type Chinese, English or both, e.g. 你好，这是一个语音示例。Hello, this is a sample.',
    'form.count': '{n} / {max} characters',
    'form.voice': 'Voice',
    'form.speed': 'Speed',
    'form.engine': 'Engine',
    'form.format': 'Format',
    'form.submit': 'Synthesize',
    'voice.female': 'Female (each language)',
    'voice.male': 'Male (each language)',
    'engine.auto': 'Auto (router picks)',
    'engine.primary': 'Primary',
    'engine.backup': 'Backup',
    'job.queued': 'Waiting in the queue…',
    'job.running': 'Synthesizing… {done} of {total} parts',
    'job.runningUnknown': 'Synthesizing…',
    'job.succeeded': 'Done: {seconds} s of audio by {engine}',
    'job.succeededShort': 'Done',
    'job.download': 'Download',
    'err.tooLong':
      'The text is too long: {length} characters, and at most {max} are allowed. Shorten it and try again.',
    'err.empty': 'There is nothing to read aloud. Type some words first.',
    'err.field.speed': 'The speed must be between {min} and {max}.',
    'err.field.voice': 'That voice is not available for this engine. Pick another voice.',
    'err.field.engine': 'That engine choice is not available.',
    'err.field.format': 'That audio format is not available.',
    'err.unauthorized': 'This service needs a valid API key.',
    'err.forbidden': 'Your key is not allowed to do that.',
    'err.rateLimited': 'Too many requests. Please wait {seconds} s and try again.',
    'err.bodyTooLarge': 'The text is too large to send.',
    'err.server': 'The service had a problem ({status}). Please try again in a moment.',
    'err.network': 'The service cannot be reached. Check your connection and try again.',
    'err.failed': 'Synthesis failed: {message}',
    'err.gone': 'This audio is no longer stored on the server.',
    'err.audioMissing':
      'The job finished, but the server cannot find its audio: its API and workers do not share storage. Please tell the operator.',
    'err.notFound': 'The server no longer knows this job.',
    'err.quota': 'This key has used its quota. Try again in {seconds} s.',
    'err.ssml': 'The SSML markup is not valid (line {line}, column {column}).',
    'err.other': 'Something went wrong: {message}',
    'engines.title': 'Engines',
    'engines.route': 'Current route',
    'engines.mode': 'Mode',
    'engines.since': 'since {time}',
    'engines.lastSwitch': 'Last switch',
    'engines.noSwitch': 'none yet',
    'engines.switch': '{from} → {to} at {time} ({reason})',
    'engines.workers': 'live workers: {n}',
    'engines.queue': 'queue: {waiting} waiting, {active} running, {failed} failed',
    'engines.probe': 'last check {ms} ms',
    'engines.updated': 'Updated {time}',
    'engines.unknown': 'unknown',
    'engines.unavailable': 'Engine status is unavailable right now.',
    'engines.basic': 'Basic status only (live workers).',
    'engines.waitingIdle':
      'Primary ready: traffic returns once the backup finishes its {n} running auto job(s) (waiting since {time}, at most {max} s).',
    'engines.recovery.idle': 'returned when the backup was idle',
    'engines.recovery.bound': 'returned after the longest wait, backup still busy',
    'engines.autoJobs': 'auto jobs running: {n}',
    'state.up': 'up',
    'state.down': 'down',
    'state.not_installed': 'not installed',
    'state.unknown': 'unknown',
    'detail.not_installed': 'Model not installed. To install it, run:',
    'detail.no_live_worker': 'No worker is running for this engine.',
    'detail.failing_checks': 'Failed its last {n} health checks.',
    'detail.unknown': 'State unknown.',
    'reason.not_installed': 'The primary engine is not installed.',
    'reason.failures': 'The primary engine failed its health checks.',
    'reason.recovered': 'The primary engine recovered.',
    'reason.recovered_confirmed': 'The primary engine recovered (confirmed by an operator).',
    'reason.operator': 'Set by an operator.',
    'reason.other': 'Chosen by the router.',
    'role.primary': 'Primary',
    'role.backup': 'Backup',
    'mode.auto': 'auto',
    'mode.primary': 'pinned to primary',
    'mode.backup': 'pinned to backup',
    'recent.title': 'Recent jobs',
    'recent.empty': 'Jobs you run in this browser appear here.',
    'recent.play': 'Play',
    'recent.download': 'Download',
    'recent.remove': 'Remove',
    'recent.expired': 'expired',
    'recent.failed': 'failed',
    'recent.pending': 'in progress',
  },
  zh: {
    'app.tagline': '中文、英文及中英混合文本转语音',
    'lang.switch': 'English',
    'lang.switchLabel': '将界面切换为英文',
    'nav.admin': '队列（管理员）',
    'key.set': '已保存密钥',
    'key.forget': '清除密钥',
    'key.title': '需要 API 密钥',
    'key.explain': '此服务需要 API 密钥。密钥只保存在本浏览器中。',
    'key.retry': '该密钥未被接受，请换一个。',
    'key.label': 'API 密钥',
    'key.save': '使用此密钥',
    'key.cancel': '取消',
    'form.title': '语音合成',
    'form.text': '文本',
    'form.placeholder': '输入中文、英文或中英混合文本，例如：你好，这是一个语音示例。Hello, this is a sample.',
    'form.count': '{n} / {max} 字',
    'form.voice': '声音',
    'form.speed': '语速',
    'form.engine': '引擎',
    'form.format': '格式',
    'form.submit': '合成',
    'voice.female': '女声（各语言）',
    'voice.male': '男声（各语言）',
    'engine.auto': '自动（由路由选择）',
    'engine.primary': '主引擎',
    'engine.backup': '备用引擎',
    'job.queued': '排队中…',
    'job.running': '合成中… 第 {done} / {total} 段',
    'job.runningUnknown': '合成中…',
    'job.succeeded': '完成：{seconds} 秒音频，由 {engine} 合成',
    'job.succeededShort': '完成',
    'job.download': '下载',
    'err.tooLong': '文本太长：共 {length} 字，最多允许 {max} 字。请缩短后重试。',
    'err.empty': '没有可朗读的内容，请先输入文字。',
    'err.field.speed': '语速必须在 {min} 到 {max} 之间。',
    'err.field.voice': '此引擎没有这个声音，请换一个。',
    'err.field.engine': '无法使用该引擎选项。',
    'err.field.format': '无法使用该音频格式。',
    'err.unauthorized': '此服务需要有效的 API 密钥。',
    'err.forbidden': '你的密钥无权执行此操作。',
    'err.rateLimited': '请求过于频繁，请 {seconds} 秒后重试。',
    'err.bodyTooLarge': '文本太大，无法发送。',
    'err.server': '服务出现问题（{status}），请稍后重试。',
    'err.network': '无法连接到服务，请检查网络后重试。',
    'err.failed': '合成失败：{message}',
    'err.gone': '服务器上已不再保存这段音频。',
    'err.audioMissing': '任务已完成，但服务器找不到音频文件：API 与工作进程没有共享存储。请告知管理员。',
    'err.notFound': '服务器已不再记录这个任务。',
    'err.quota': '此密钥的配额已用完，请 {seconds} 秒后再试。',
    'err.ssml': 'SSML 标记无效（第 {line} 行，第 {column} 列）。',
    'err.other': '出错了：{message}',
    'engines.title': '引擎状态',
    'engines.route': '当前路由',
    'engines.mode': '模式',
    'engines.since': '自 {time} 起',
    'engines.lastSwitch': '上次切换',
    'engines.noSwitch': '尚无',
    'engines.switch': '{from} → {to}，{time}（{reason}）',
    'engines.workers': '在线工作进程：{n}',
    'engines.queue': '队列：等待 {waiting}，运行 {active}，失败 {failed}',
    'engines.probe': '最近检查 {ms} 毫秒',
    'engines.updated': '更新于 {time}',
    'engines.unknown': '未知',
    'engines.unavailable': '暂时无法获取引擎状态。',
    'engines.basic': '仅有基本状态（在线工作进程）。',
    'engines.waitingIdle':
      '主引擎已就绪：备用引擎上正在运行的 {n} 个自动任务完成后切回（自 {time} 起等待，最长 {max} 秒）。',
    'engines.recovery.idle': '备用引擎空闲时切回',
    'engines.recovery.bound': '等待达到上限后切回，备用引擎仍忙',
    'engines.autoJobs': '运行中的自动任务：{n}',
    'state.up': '正常',
    'state.down': '停止',
    'state.not_installed': '未安装',
    'state.unknown': '未知',
    'detail.not_installed': '模型未安装。安装命令：',
    'detail.no_live_worker': '该引擎没有运行中的工作进程。',
    'detail.failing_checks': '最近 {n} 次健康检查失败。',
    'detail.unknown': '状态未知。',
    'reason.not_installed': '主引擎未安装。',
    'reason.failures': '主引擎健康检查失败。',
    'reason.recovered': '主引擎已恢复。',
    'reason.recovered_confirmed': '主引擎已恢复（运维人员已确认）。',
    'reason.operator': '由运维人员设置。',
    'reason.other': '由路由自动选择。',
    'role.primary': '主引擎',
    'role.backup': '备用引擎',
    'mode.auto': '自动',
    'mode.primary': '固定为主引擎',
    'mode.backup': '固定为备用引擎',
    'recent.title': '最近的任务',
    'recent.empty': '在本浏览器中运行的任务会显示在这里。',
    'recent.play': '播放',
    'recent.download': '下载',
    'recent.remove': '移除',
    'recent.expired': '已过期',
    'recent.failed': '失败',
    'recent.pending': '进行中',
  },
};

const LANG_KEY = 'tandem.lang';
let lang = pickLanguage();

function pickLanguage() {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved === 'en' || saved === 'zh') return saved;
  return /^zh\b/i.test(navigator.language || '') ? 'zh' : 'en';
}

export function currentLanguage() {
  return lang;
}

export function setLanguage(next) {
  lang = next === 'zh' ? 'zh' : 'en';
  localStorage.setItem(LANG_KEY, lang);
  applyStatic();
}

export function t(key, params = {}) {
  const s = STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => (params[k] === undefined ? `{${k}}` : String(params[k])));
}

/** Fill every element that names its text with data-i18n*. */
export function applyStatic(root = document) {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
}

/** Numbers and times in the interface language. */
export function formatNumber(n) {
  return new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en').format(n);
}

export function formatTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  const sameDay = d.toDateString() === new Date().toDateString();
  const opts = sameDay ? { timeStyle: 'medium' } : { dateStyle: 'short', timeStyle: 'short' };
  return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en', opts).format(d);
}
