// Streamers: search, list with state and the live recording, and start/stop/pause/resume/edit/delete.
// Refreshes every 5 s so states and recording sizes stay current.
import * as api from '../http.js';
import {h, replace, extLink} from '../dom.js';
import {t} from '../i18n.js';
import * as fmt from '../format.js';
import * as toast from '../toast.js';
import * as router from '../router.js';
import {pageHeader, badge, empty, loading, button} from '../ui.js';
import {controlButtons, remove} from '../streamer-actions.js';

const PAGE_SIZE = 50;
const REFRESH_MS = 5000;

export function stateBadge(streamer) {
  const state = streamer.state || (streamer.paused ? 'paused' : 'idle');
  return badge(t(`state.${state}`), `state-${state}`, {'data-testid': 'streamer-state', 'data-state': state});
}

export function renderStreamers(root, ctx) {
  let alive = true;
  let timer = null;
  const q = ctx.query.get('q') || '';
  const offset = Math.max(0, Number(ctx.query.get('offset')) || 0);

  const search = h('input', {type: 'search', id: 'streamer-search', 'data-testid': 'streamer-search',
    placeholder: t('streamer.search'), value: q});
  const searchForm = h('form', {class: 'toolbar', role: 'search'}, search,
    h('button', {type: 'submit', class: 'btn'}, t('action.search')));
  searchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    router.navigate(`#/streamers${api.query({q: search.value.trim()})}`);
  });

  const list = h('div', {id: 'streamer-list', class: 'cards', 'data-testid': 'streamer-list'}, loading());
  const pager = h('div', {class: 'pager'});
  root.append(pageHeader(t('nav.streamers'),
    h('a', {href: '#/streamers/new', class: 'btn primary', id: 'streamer-add', 'data-testid': 'streamer-add'},
      t('streamer.add'))), searchForm, list, pager);

  function card(s) {
    const rec = s.recording;
    const el = h('article', {class: `card streamer ${s.origin === 'script' ? 'from-script' : ''}`,
      'data-testid': 'streamer-row', 'data-id': s.id, 'data-name': s.name},
      h('div', {class: 'card-head'},
        h('a', {class: 'title', href: `#/streamers/${s.id}`, 'data-testid': 'streamer-name'}, s.name),
        stateBadge(s),
        s.origin === 'script' ? badge('main.lua', 'origin', {title: t('streamer.scriptNote')}) : null,
        s.danmaku ? badge(t('streamer.danmaku'), 'muted') : null),
      h('ul', {class: 'urls plain'}, (s.urls || []).map((u) => h('li', null, extLink(u)))),
      rec ? h('p', {class: 'recording', 'data-testid': 'streamer-recording'},
        badge('REC', 'rec'), ` ${fmt.duration(rec.duration)} · ${fmt.bytes(rec.bytes)} · ${fmt.bitrate(rec.bitrate)}`,
        rec.reconnects ? ` · ${t('col.reconnects')} ${rec.reconnects}` : '') : null,
      s.schedule && s.schedule.length ? h('p', {class: 'muted small'}, `${t('streamer.schedule')}: ${s.schedule.join(', ')}`) : null,
      s.template ? h('p', {class: 'muted small'}, `${t('streamer.template')}: ${s.template}`) : null,
      s.origin === 'script' ? h('p', {class: 'muted small', 'data-testid': 'streamer-script-note'}, t('streamer.scriptShort')) : null,
      s.refusal ? h('p', {class: 'muted small', 'data-testid': 'streamer-refusal'}, s.refusal) : null,
      s.last_error ? h('p', {class: 'error-text small', 'data-testid': 'streamer-error'}, s.last_error) : null,
      h('div', {class: 'card-actions'},
        controlButtons(s, (updated) => { if (updated) el.replaceWith(card(updated)); else refresh(); }),
        h('a', {class: 'btn small', href: `#/streamers/${s.id}`, 'data-testid': 'streamer-edit'},
          s.origin === 'script' ? t('action.view') : t('action.edit')),
        h('a', {class: 'btn small ghost', href: `#/history${api.query({streamer_id: s.id})}`,
          'data-testid': 'streamer-history'}, t('nav.history')),
        s.origin === 'script' ? null
          : button(t('action.delete'), () => remove(s, refresh), {class: 'btn small danger', 'data-testid': 'streamer-delete'})));
    return el;
  }

  async function refresh() {
    clearTimeout(timer);
    try {
      const data = await api.get(`/api/streamers${api.query({limit: PAGE_SIZE, offset, q})}`);
      if (!alive) return;
      const streamers = api.items(data);
      replace(list, streamers.length ? streamers.map(card) : empty(q ? t('streamer.noMatch') : t('streamer.none')));
      const total = typeof data.total === 'number' ? data.total : streamers.length;
      replace(pager,
        offset > 0 ? h('a', {class: 'btn small', href: `#/streamers${api.query({q, offset: Math.max(0, offset - PAGE_SIZE) || null})}`}, t('action.prev')) : null,
        h('span', {class: 'muted', 'data-testid': 'streamer-total'}, t('streamer.total', {total})),
        offset + PAGE_SIZE < total ? h('a', {class: 'btn small', href: `#/streamers${api.query({q, offset: offset + PAGE_SIZE})}`}, t('action.next')) : null);
    } catch (e) {
      if (!alive) return;
      toast.error(e);
    }
    if (alive) timer = setTimeout(refresh, REFRESH_MS);
  }

  refresh();
  return () => { alive = false; clearTimeout(timer); };
}
