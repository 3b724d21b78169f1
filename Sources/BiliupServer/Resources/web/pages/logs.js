// Live logs over the WebSocket: level, type and streamer filters, newest at the bottom, the last
// MAX_LINES kept (also while on other pages, so coming back shows what was already received).
import * as api from '../http.js';
import {h, replace} from '../dom.js';
import {t} from '../i18n.js';
import * as fmt from '../format.js';
import {pageHeader, button, checkbox} from '../ui.js';
import {LiveSocket} from '../livesocket.js';
import {loadMe, needsLogin} from '../session.js';
import * as router from '../router.js';

const MAX_LINES = 1000;
const LEVELS = ['debug', 'info', 'warn', 'error'];
const TYPES = ['log', 'state', 'progress'];
const STICK_PX = 40;

const kept = [];
const filter = {types: ['log', 'state'], level: 'info', streamer_id: null};

function progressText(m) {
  const d = m.data || {};
  return [fmt.duration(d.duration), fmt.bytes(d.bytes), fmt.bitrate(d.bitrate)].join(' · ');
}

function lineFor(m) {
  if (m.type === 'skipped') {
    return h('li', {class: 'log-line skipped', 'data-testid': 'log-line', 'data-type': 'skipped'},
      t('logs.skipped', {count: m.count ?? '?'}));
  }
  if (m.type === 'error') {
    return h('li', {class: 'log-line level-error marker', 'data-testid': 'log-line', 'data-type': 'error'},
      t('logs.filterError', {message: m.message ?? ''}));
  }
  if (m.type === 'marker') {
    return h('li', {class: 'log-line marker', 'data-testid': 'log-marker'}, `— ${m.text} —`);
  }
  const level = LEVELS.includes(m.level) ? m.level : 'info';
  return h('li', {class: `log-line level-${level} type-${m.type}`, 'data-testid': 'log-line',
    'data-type': m.type, 'data-kind': m.kind || '', 'data-level': level, 'data-streamer': m.streamer || '',
    'data-seq': m.seq ?? ''},
  h('span', {class: 'time'}, fmt.clock(m.timestamp)),
  h('span', {class: 'lvl'}, level.toUpperCase()),
  h('span', {class: 'kind'}, m.kind || m.type),
  m.streamer ? h('span', {class: 'who'}, m.streamer) : null,
  h('span', {class: 'msg'}, m.message || (m.type === 'progress' ? progressText(m) : '')));
}

export function renderLogs(root) {
  const status = h('span', {id: 'logs-status', class: 'conn', 'data-testid': 'logs-status', 'data-state': 'connecting'},
    t('logs.connecting'));
  const levelSelect = h('select', {id: 'log-level', 'data-testid': 'log-level'},
    LEVELS.map((l) => h('option', {value: l, selected: filter.level === l}, t(`level.${l}`))));
  const streamerSelect = h('select', {id: 'log-streamer', 'data-testid': 'log-streamer'},
    h('option', {value: ''}, t('history.allStreamers')));
  const typeBoxes = TYPES.map((type) => checkbox(t(`logs.type.${type}`), h('input', {type: 'checkbox',
    id: `log-type-${type}`, 'data-testid': `log-type-${type}`, value: type, checked: filter.types.includes(type)})));
  const list = h('ol', {id: 'log-list', class: 'log-list', 'data-testid': 'log-list'});
  const view = h('div', {class: 'log-view', id: 'log-view'}, list);
  root.append(pageHeader(t('nav.logs'), status),
    h('div', {class: 'toolbar'}, levelSelect, streamerSelect, h('div', {class: 'types'}, typeBoxes),
      button(t('logs.clear'), () => { kept.length = 0; replace(list); }, {class: 'btn small ghost', id: 'log-clear', 'data-testid': 'log-clear'})),
    view);

  const nearBottom = () => view.scrollHeight - view.scrollTop - view.clientHeight < STICK_PX;
  const scrollDown = () => { view.scrollTop = view.scrollHeight; };

  function add(message) {
    const stick = nearBottom();
    kept.push(message);
    list.append(lineFor(message));
    while (kept.length > MAX_LINES) { kept.shift(); list.firstElementChild?.remove(); }
    if (stick) scrollDown();
  }

  append(list, kept);
  scrollDown();

  function append(target, messages) { for (const m of messages) target.append(lineFor(m)); }

  api.get('/api/streamers?limit=1000').then((data) => {
    for (const s of api.items(data)) {
      streamerSelect.append(h('option', {value: String(s.id), selected: filter.streamer_id === s.id}, s.name));
    }
  }).catch(() => {});

  let opened = false;
  const socket = new LiveSocket(filter, {
    onMessage: add,
    onStatus(state, detail) {
      status.dataset.state = state;
      status.className = `conn ${state}`;
      if (state === 'open') {
        status.textContent = t('logs.open');
        if (opened) add({type: 'marker', text: t('logs.reconnected')});
        opened = true;
      } else if (state === 'waiting') {
        status.textContent = t('logs.retry', {seconds: detail});
      } else if (state === 'connecting') {
        status.textContent = t('logs.connecting');
      } else {
        status.textContent = t('logs.closed');
        // A refused handshake looks like any other close: ask whether the session is gone.
        loadMe().then(() => { if (needsLogin()) router.render(); }).catch(() => {});
      }
    },
  });

  function changed() {
    filter.level = levelSelect.value;
    filter.streamer_id = streamerSelect.value ? Number(streamerSelect.value) : null;
    filter.types = typeBoxes.map((label) => label.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
    socket.setFilter(filter);
  }
  levelSelect.addEventListener('change', changed);
  streamerSelect.addEventListener('change', changed);
  for (const label of typeBoxes) label.addEventListener('change', changed);

  socket.connect();
  return () => socket.close();
}
