// History: sessions (one broadcast each) with their segments, filtered by streamer and date;
// a segment plays in a <video> element from its file_url (Range requests).
import * as api from '../http.js';
import {h, replace, safeHref} from '../dom.js';
import {t} from '../i18n.js';
import * as fmt from '../format.js';
import * as toast from '../toast.js';
import * as router from '../router.js';
import {pageHeader, table, empty, loading, badge, button} from '../ui.js';

const PAGE_SIZE = 20;

/** 'YYYY-MM-DD' (local) → unix seconds at the start (or end) of that day. */
function dayToUnix(day, endOfDay) {
  if (!day) return null;
  const date = new Date(`${day}T00:00:00`);
  if (isNaN(date)) return null;
  if (endOfDay) date.setDate(date.getDate() + 1);
  return Math.floor(date.getTime() / 1000);
}

export function renderHistory(root, ctx) {
  let alive = true;
  const streamerId = ctx.query.get('streamer_id') || '';
  const fromDay = ctx.query.get('from') || '';
  const toDay = ctx.query.get('to') || '';
  const offset = Math.max(0, Number(ctx.query.get('offset')) || 0);

  const streamerSelect = h('select', {id: 'history-streamer', 'data-testid': 'history-streamer'},
    h('option', {value: ''}, t('history.allStreamers')));
  const from = h('input', {type: 'date', id: 'history-from', 'data-testid': 'history-from', value: fromDay});
  const to = h('input', {type: 'date', id: 'history-to', 'data-testid': 'history-to', value: toDay});
  const filters = h('form', {class: 'toolbar'}, streamerSelect, from, to,
    h('button', {type: 'submit', class: 'btn'}, t('action.filter')));
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    router.navigate(`#/history${api.query({streamer_id: streamerSelect.value, from: from.value, to: to.value})}`);
  });

  const player = h('section', {id: 'player', class: 'card player', 'data-testid': 'player', hidden: true});
  const list = h('div', {id: 'session-list', class: 'cards', 'data-testid': 'session-list'}, loading());
  const pager = h('div', {class: 'pager'});
  root.append(pageHeader(t('nav.history')), filters, player, list, pager);

  api.get('/api/streamers?limit=1000').then((data) => {
    if (!alive) return;
    for (const s of api.items(data)) {
      streamerSelect.append(h('option', {value: String(s.id), selected: String(s.id) === streamerId}, s.name));
    }
  }).catch(() => {});

  function play(segment) {
    const src = safeHref(segment.file_url || `/api/segments/${segment.id}/file`);
    const note = h('p', {class: 'muted small', 'data-testid': 'player-note'}, t('history.playNote'));
    const video = h('video', {controls: true, autoplay: true, preload: 'metadata', src, id: 'player-video',
      'data-testid': 'player-video'});
    video.addEventListener('error', () => {
      note.className = 'error-text small';
      note.textContent = t('history.playError');
    });
    replace(player,
      h('div', {class: 'card-head'}, h('strong', null, segment.file_name || fmt.basename(segment.path)),
        button(t('action.close'), () => { video.pause(); video.removeAttribute('src'); player.hidden = true; replace(player); },
          {class: 'btn small ghost', 'data-testid': 'player-close'})),
      video, note);
    player.hidden = false;
    player.scrollIntoView({behavior: 'smooth', block: 'nearest'});
  }

  function segmentRow(seg) {
    const playable = seg.state !== 'removed';
    const href = safeHref(seg.file_url);
    return h('tr', {'data-testid': 'segment-row', 'data-id': seg.id},
      h('td', {class: 'mono file', title: seg.path || ''}, seg.file_name || fmt.basename(seg.path)),
      h('td', null, badge(t(`segment.${seg.state}`), `seg-${seg.state}`, {title: seg.removed_reason || null})),
      h('td', {class: 'num'}, fmt.duration(seg.duration)),
      h('td', {class: 'num'}, fmt.bytes(seg.bytes)),
      h('td', {class: 'nowrap'},
        playable ? button(t('history.play'), () => play(seg), {class: 'btn small primary', 'data-testid': 'segment-play'}) : null,
        playable && href ? h('a', {class: 'btn small ghost', href, download: seg.file_name || ''}, t('history.download')) : null));
  }

  function sessionCard(session) {
    const segments = Array.isArray(session.segments) ? session.segments : [];
    const live = session.ended_at == null;
    return h('article', {class: 'card session', 'data-testid': 'session-row', 'data-id': session.id},
      h('div', {class: 'card-head'},
        h('strong', {class: 'title'}, session.streamer ?? `#${session.streamer_id}`),
        live ? badge(t('history.live'), 'rec') : badge(session.end_reason || t('history.ended'), 'muted'),
        session.plugin ? badge(session.plugin, 'muted') : null),
      session.title ? h('p', {class: 'session-title'}, session.title) : null,
      h('p', {class: 'muted small'},
        `${fmt.dateTime(session.started_at)} → ${live ? '…' : fmt.dateTime(session.ended_at)} · `,
        `${fmt.duration(session.duration)} · ${fmt.bytes(session.bytes)} · `,
        t('history.segments', {count: session.segment_count ?? segments.length})),
      segments.length ? table([t('col.file'), t('col.state'), t('col.duration'), t('col.size'), ''],
        segments.map(segmentRow), {}, {stack: true}) : null);
  }

  async function load() {
    const params = {streamer_id: streamerId, from: dayToUnix(fromDay, false), to: dayToUnix(toDay, true),
      limit: PAGE_SIZE, offset: offset || null};
    try {
      const data = await api.get(`/api/sessions${api.query(params)}`);
      if (!alive) return;
      const sessions = api.items(data);
      replace(list, sessions.length ? sessions.map(sessionCard) : empty(t('history.none')));
      const base = {streamer_id: streamerId, from: fromDay, to: toDay};
      replace(pager,
        offset > 0 ? h('a', {class: 'btn small', href: `#/history${api.query({...base, offset: Math.max(0, offset - PAGE_SIZE) || null})}`}, t('action.prev')) : null,
        sessions.length === PAGE_SIZE ? h('a', {class: 'btn small', href: `#/history${api.query({...base, offset: offset + PAGE_SIZE})}`}, t('action.next')) : null);
    } catch (e) {
      if (alive) { toast.error(e); replace(list, empty(e.message)); }
    }
  }

  load();
  return () => {
    alive = false;
    const video = player.querySelector('video');
    if (video) { video.pause(); video.removeAttribute('src'); video.load(); }
  };
}
