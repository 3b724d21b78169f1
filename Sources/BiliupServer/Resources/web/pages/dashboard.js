// Dashboard: live recordings (bitrate, duration, size), disk, queue and recent events, and the live chat
// of recordings with danmaku on. Polls GET /api/status every 2 s and new events after the last one seen;
// chat comes over the WebSocket (type `danmaku`, which the server rate-limits per subscriber).
import * as api from '../http.js';
import {h, replace} from '../dom.js';
import {t} from '../i18n.js';
import * as fmt from '../format.js';
import * as toast from '../toast.js';
import {pageHeader, table, empty, loading, badge} from '../ui.js';
import {LiveSocket} from '../livesocket.js';

const POLL_MS = 2000;
const EVENTS_SHOWN = 20;
/** Chat lines kept and shown per recording. */
const CHAT_SHOWN = 8;

export function renderDashboard(root) {
  let alive = true;
  let timer = null;
  let events = [];
  let failures = 0;
  const names = new Map();

  const summary = h('div', {class: 'stats', id: 'dash-summary', 'data-testid': 'dash-summary'}, loading());
  const disk = h('section', {class: 'card', id: 'dash-disk', 'data-testid': 'dash-disk'});
  const recordings = h('section', {class: 'card', id: 'dash-recordings', 'data-testid': 'dash-recordings'});
  const recent = h('section', {class: 'card', id: 'dash-events', 'data-testid': 'dash-events'});
  const chat = h('section', {class: 'card', id: 'dash-chat', 'data-testid': 'dash-chat', hidden: true});
  root.append(pageHeader(t('nav.dashboard')), summary, h('div', {class: 'grid-2'}, recordings, disk), chat, recent);

  // streamer name → its last CHAT_SHOWN messages; only recordings still running are shown.
  const chatLines = new Map();
  let recordingNames = new Set();
  const socket = new LiveSocket({types: ['danmaku'], level: 'debug', streamer_id: null}, {
    onMessage: (m) => {
      if (m.type !== 'danmaku' || typeof m.streamer !== 'string') return;
      const incoming = Array.isArray(m.data?.messages) ? m.data.messages : [];
      const lines = (chatLines.get(m.streamer) || []).concat(incoming).slice(-CHAT_SHOWN);
      chatLines.set(m.streamer, lines);
      renderChat();
    },
    onStatus: () => {},
  });
  socket.connect();

  function chatLine(m) {
    const who = typeof m.user === 'string' && m.user ? m.user : '?';
    const text = typeof m.text === 'string' ? m.text : '';
    const kind = typeof m.kind === 'string' ? m.kind : 'chat';
    return h('li', {class: `chat-line chat-${kind}`, 'data-testid': 'chat-line', 'data-kind': kind},
      h('span', {class: 'who'}, who), ' ', h('span', {class: 'msg'}, text));
  }

  function renderChat() {
    const shown = [...chatLines.entries()].filter(([name]) => recordingNames.has(name));
    chat.hidden = shown.length === 0;
    replace(chat, h('h2', null, t('dash.chat')),
      shown.map(([name, lines]) => h('div', {class: 'chat', 'data-testid': 'chat', 'data-streamer': name},
        h('h3', null, name),
        h('ul', {class: 'plain chat-lines'}, lines.map(chatLine)))));
  }

  api.get('/api/streamers?limit=1000').then((data) => {
    for (const s of api.items(data)) names.set(s.id, s.name);
    if (alive) renderEvents();
  }).catch(() => {});

  function stat(label, value, testid) {
    return h('div', {class: 'stat', 'data-testid': testid}, h('div', {class: 'stat-value'}, value),
      h('div', {class: 'stat-label'}, label));
  }

  function streamerCount(value) {
    if (typeof value === 'number') return value;
    if (Array.isArray(value)) return value.length;
    if (value && typeof value === 'object') return Object.values(value).reduce((a, b) => a + (Number(b) || 0), 0);
    return '–';
  }

  function renderStatus(status) {
    const recs = Array.isArray(status.recordings) ? status.recordings : [];
    const queue = Array.isArray(status.queue) ? status.queue : [];
    replace(summary,
      stat(t('dash.recording'), recs.length, 'stat-recordings'),
      stat(t('dash.streamers'), streamerCount(status.streamers), 'stat-streamers'),
      stat(t('dash.queue'), queue.length, 'stat-queue'),
      stat(t('dash.uptime'), fmt.duration(status.uptime), 'stat-uptime'),
      stat(t('dash.version'), status.version ?? '–', 'stat-version'));

    const d = status.disk || {};
    const used = d.total > 0 ? Math.min(100, Math.max(0, (1 - d.free / d.total) * 100)) : 0;
    replace(disk, h('h2', null, t('dash.disk')),
      h('div', {class: 'meter', role: 'meter', 'aria-valuenow': used.toFixed(0), 'aria-valuemin': 0, 'aria-valuemax': 100},
        h('div', {class: `meter-fill ${used > 90 ? 'danger' : ''}`, style: `width:${used.toFixed(1)}%`})),
      h('p', null, t('dash.diskFree', {free: fmt.bytes(d.free), total: fmt.bytes(d.total)})),
      h('p', {class: 'muted mono'}, d.path || ''),
      queue.length ? h('div', null, h('h3', null, t('dash.queued')),
        h('ul', {class: 'plain', 'data-testid': 'dash-queue'}, queue.map((n) => h('li', null, String(n))))) : null);

    const rows = recs.map((r) => h('tr', {'data-testid': 'recording-row', 'data-streamer': r.streamer},
      h('td', null, h('a', {href: `#/history${api.query({streamer_id: r.streamer_id})}`}, r.streamer ?? '–')),
      h('td', {class: 'num'}, fmt.duration(r.duration)),
      h('td', {class: 'num'}, fmt.bytes(r.bytes)),
      h('td', {class: 'num'}, fmt.bitrate(r.bitrate)),
      h('td', {class: 'num'}, r.reconnects ?? 0),
      h('td', {class: 'mono file', title: r.file || ''}, fmt.basename(r.file))));
    recordingNames = new Set(recs.map((r) => r.streamer));
    for (const name of [...chatLines.keys()]) if (!recordingNames.has(name)) chatLines.delete(name);
    renderChat();
    replace(recordings, h('h2', null, t('dash.recordings')),
      recs.length ? table([t('col.streamer'), t('col.duration'), t('col.size'), t('col.bitrate'),
        t('col.reconnects'), t('col.file')], rows, {}, {stack: true}) : empty(t('dash.noRecordings')));
  }

  function renderEvents() {
    const shown = events.slice(-EVENTS_SHOWN).reverse();
    replace(recent, h('h2', null, t('dash.events')),
      shown.length ? h('ul', {class: 'events', 'data-testid': 'event-list'}, shown.map((e) =>
        h('li', {class: `event level-${e.level}`, 'data-testid': 'event', 'data-kind': e.kind},
          h('span', {class: 'time'}, fmt.dateTime(e.timestamp)),
          badge(e.level, `level-${e.level}`),
          h('span', {class: 'kind'}, e.kind),
          e.streamer_id != null ? h('span', {class: 'who'}, names.get(e.streamer_id) ?? `#${e.streamer_id}`) : null,
          h('span', {class: 'msg'}, e.message))))
        : empty(t('dash.noEvents')));
  }

  async function poll() {
    try {
      const last = events.length ? events[events.length - 1].id : null;
      const [status, fresh] = await Promise.all([
        api.get('/api/status'),
        api.get(`/api/events${api.query(last != null ? {after_id: last, limit: 100} : {limit: EVENTS_SHOWN})}`),
      ]);
      if (!alive) return;
      failures = 0;
      renderStatus(status);
      const added = api.items(fresh).filter((e) => last == null || e.id > last).sort((a, b) => a.id - b.id);
      if (added.length || last == null) {
        events = events.concat(added).slice(-EVENTS_SHOWN);
        renderEvents();
      }
    } catch (e) {
      if (!alive) return;
      failures += 1;
      if (failures === 1) toast.error(e);
    }
    if (alive) timer = setTimeout(poll, POLL_MS);
  }

  poll();
  return () => { alive = false; clearTimeout(timer); socket.close(); };
}
