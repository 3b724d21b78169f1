// Uploads: the queue (archives not submitted yet, their parts with live progress from the WebSocket's
// upload_* events), retry and cancel, and the archives Bilibili accepted with links to them.
import * as api from '../http.js';
import {h, replace, extLink} from '../dom.js';
import {t} from '../i18n.js';
import * as fmt from '../format.js';
import * as toast from '../toast.js';
import {LiveSocket} from '../livesocket.js';
import {pageHeader, loading, empty, badge, button, table} from '../ui.js';

const ARCHIVES_PAGE = 20;
/** Upload events that change the queue (not only a part's bytes): the lists are read again. */
const RELOADING = new Set(['upload_start', 'upload_done', 'upload_error']);

export function renderUploads(root) {
  let alive = true;
  let reloadTimer = null;
  let archivesOffset = 0;
  const queue = h('section', {class: 'card', id: 'uploads-queue', 'data-testid': 'uploads-queue'}, h('h2', null, t('uploads.queue')), loading());
  const archives = h('section', {class: 'card', id: 'uploads-archives', 'data-testid': 'uploads-archives'},
    h('h2', null, t('uploads.archives')), loading());
  const live = h('span', {class: 'conn', 'data-testid': 'uploads-live'});
  root.append(pageHeader(t('nav.uploads'), live), queue, archives);

  function progressCell(part) {
    const total = part.total ?? part.bytes;
    const sent = part.sent ?? (part.state === 'uploaded' ? total : 0);
    const percent = total > 0 ? Math.min(100, (sent / total) * 100) : 0;
    return h('td', {class: 'progress-cell'},
      h('div', {class: 'meter small', role: 'progressbar', 'aria-valuenow': percent.toFixed(0), 'aria-valuemin': 0, 'aria-valuemax': 100},
        h('div', {class: 'meter-fill', style: `width:${percent.toFixed(1)}%`, 'data-testid': 'part-meter'})),
      h('span', {class: 'muted', 'data-testid': 'part-bytes'}, `${fmt.bytes(sent)} / ${fmt.bytes(total)}`));
  }

  async function act(action, done) {
    try {
      await action();
      toast.info(done);
      await loadQueue();
    } catch (e) {
      toast.error(e);
    }
  }

  function partRow(archive, part) {
    const canRetry = ['queued', 'held', 'failed'].includes(part.state);
    return h('tr', {'data-testid': 'upload-part', 'data-part': part.id, 'data-state': part.state},
      h('td', {class: 'num'}, part.position + 1),
      h('td', {class: 'mono file', title: part.path}, fmt.basename(part.path)),
      h('td', null, badge(t(`uploads.part.${part.state}`), `state-${part.state}`)),
      progressCell(part),
      h('td', null, part.tries > 0 ? String(part.tries) : '–'),
      h('td', {class: 'error-text'}, part.error ?? '', part.next_try_at != null ? h('div', {class: 'muted'},
        t('uploads.nextTry', {time: fmt.dateTime(part.next_try_at)})) : null),
      h('td', null, canRetry ? button(t('action.retry'), () => act(() => api.post(`/api/uploads/parts/${part.id}/retry`), t('uploads.retried')),
        {class: 'btn small', 'data-testid': 'part-retry'}) : null));
  }

  function archiveCard(archive) {
    return h('article', {class: 'upload', 'data-testid': 'upload-archive', 'data-archive': archive.id, 'data-state': archive.state},
      h('div', {class: 'upload-head'},
        h('h3', null, archive.title),
        badge(t(`uploads.state.${archive.state}`), `state-${archive.state}`),
        archive.account ? h('span', {class: 'muted'}, t('uploads.as', {account: archive.account})) : h('span', {class: 'muted'}, t('uploads.noAccount')),
        h('div', {class: 'actions'},
          button(t('action.retry'), () => act(() => api.post(`/api/uploads/${archive.id}/retry`), t('uploads.retried')),
            {class: 'btn small', 'data-testid': 'upload-retry'}),
          button(t('uploads.cancel'), () => {
            if (!confirm(t('uploads.confirmCancel', {title: archive.title}))) return;
            act(() => api.post(`/api/uploads/${archive.id}/cancel`), t('uploads.cancelled'));
          }, {class: 'btn small danger', 'data-testid': 'upload-cancel'}))),
      archive.error ? h('p', {class: 'error-text'}, archive.error) : null,
      archive.rate_limited_until != null ? h('p', {class: 'note'}, t('uploads.rateLimited', {time: fmt.dateTime(archive.rate_limited_until)})) : null,
      archive.next_try_at != null ? h('p', {class: 'muted'}, t('uploads.nextTry', {time: fmt.dateTime(archive.next_try_at)})) : null,
      archive.parts.length ? table(['#', t('col.file'), t('uploads.stateCol'), t('uploads.progress'), t('uploads.tries'), t('uploads.error'), ''],
        archive.parts.map((p) => partRow(archive, p)), {}, {stack: true}) : empty(t('uploads.noParts')));
  }

  async function loadQueue() {
    try {
      const list = api.items(await api.get('/api/uploads'));
      if (!alive) return;
      replace(queue, h('h2', null, t('uploads.queue')),
        list.length ? list.map(archiveCard) : empty(t('uploads.empty')));
    } catch (e) {
      if (alive) replace(queue, h('h2', null, t('uploads.queue')), h('p', {class: 'error-text'}, e.message));
    }
  }

  async function loadArchives() {
    try {
      const page = await api.get(`/api/archives${api.query({limit: ARCHIVES_PAGE, offset: archivesOffset})}`);
      if (!alive) return;
      const rows = api.items(page).map((a) => h('tr', {'data-testid': 'archive-row', 'data-bvid': a.bvid ?? ''},
        h('td', null, a.title),
        h('td', {class: 'mono'}, a.url ? extLink(a.url, a.bvid) : (a.bvid ?? '–')),
        h('td', null, a.account ?? '–'),
        h('td', {class: 'num'}, a.parts.length),
        h('td', null, fmt.dateTime(a.submitted_at))));
      const pager = h('div', {class: 'toolbar'},
        archivesOffset > 0 ? button(t('action.prev'), () => { archivesOffset = Math.max(0, archivesOffset - ARCHIVES_PAGE); loadArchives(); },
          {class: 'btn small'}) : null,
        rows.length === ARCHIVES_PAGE ? button(t('action.next'), () => { archivesOffset += ARCHIVES_PAGE; loadArchives(); },
          {class: 'btn small'}) : null);
      replace(archives, h('h2', null, t('uploads.archives')),
        rows.length ? table([t('uploads.title'), 'BV', t('uploads.account'), t('uploads.parts'), t('uploads.submitted')], rows,
          {'data-testid': 'archive-table'}, {stack: true}) : empty(t('uploads.noArchives')), pager);
    } catch (e) {
      if (alive) replace(archives, h('h2', null, t('uploads.archives')), h('p', {class: 'error-text'}, e.message));
    }
  }

  /** A part's bytes as they go up, without reading the lists again. */
  function showProgress(data) {
    const row = queue.querySelector(`tr[data-part="${Number(data.part)}"]`);
    if (!row || typeof data.sent !== 'number' || typeof data.total !== 'number') return;
    row.querySelector('.progress-cell').replaceWith(progressCell({sent: data.sent, total: data.total, bytes: data.total, state: 'uploading'}));
  }

  function reloadSoon() {
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => { loadQueue(); loadArchives(); }, 300);
  }

  const socket = new LiveSocket({types: ['log', 'state', 'progress'], level: 'debug'}, {
    onMessage(message) {
      if (message.kind === 'upload_progress') showProgress(message.data || {});
      else if (RELOADING.has(message.kind) || (message.data && message.data.archive != null)) reloadSoon();
    },
    onStatus(state) {
      live.className = `conn ${state}`;
      live.dataset.state = state;
      live.textContent = state === 'open' ? t('uploads.live') : t('logs.connecting');
    },
  });

  loadQueue();
  loadArchives();
  socket.connect();
  return () => { alive = false; clearTimeout(reloadTimer); socket.close(); };
}
