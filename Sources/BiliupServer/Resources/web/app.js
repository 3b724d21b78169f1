// Entry point: the top bar, the login gate, and the routes.
import * as api from './http.js';
import {h, replace} from './dom.js';
import {t, getLang, setLang, onLangChange} from './i18n.js';
import * as router from './router.js';
import {currentMe, loadMe, needsLogin, markLoggedOut, onSessionChange} from './session.js';
import {renderLogin} from './pages/login.js';
import {renderDashboard} from './pages/dashboard.js';
import {renderStreamers} from './pages/streamers.js';
import {renderStreamerForm} from './pages/streamer-form.js';
import {renderTemplates} from './pages/templates.js';
import {renderTemplateForm} from './pages/template-form.js';
import {renderHistory} from './pages/history.js';
import {renderLogs} from './pages/logs.js';
import {renderSettings} from './pages/settings.js';
import {renderUploads} from './pages/uploads.js';
import {renderAccounts} from './pages/accounts.js';

const PAGES = ['dashboard', 'streamers', 'templates', 'uploads', 'accounts', 'history', 'logs', 'settings'];
let activePage = null;

function renderNav() {
  const nav = document.getElementById('nav');
  replace(nav, PAGES.map((name) => h('a', {
    href: `#/${name}`, id: `nav-${name}`, 'data-testid': `nav-${name}`,
    class: name === activePage ? 'active' : null,
    'aria-current': name === activePage ? 'page' : null,
  }, t(`nav.${name}`))));
}

function renderTopRight() {
  const me = currentMe();
  document.getElementById('me-name').textContent = me.user ? me.user.name : '';
  const button = document.getElementById('lang-switch');
  button.textContent = getLang() === 'zh' ? 'English' : '中文';
  button.title = t('lang.switch');
}

function renderChrome() {
  renderNav();
  renderTopRight();
  document.title = activePage ? `${t(`nav.${activePage}`)} · biliup` : 'biliup';
}

document.addEventListener('routechange', (event) => {
  activePage = event.detail.name;
  document.body.classList.remove('logged-out');
  renderChrome();
});

router.setGuard((ctx, root) => {
  if (!needsLogin()) return false;
  document.body.classList.add('logged-out');
  renderLogin(root, {onLoggedIn: () => router.render()});
  return true;
});

api.onUnauthorized(() => {
  if (needsLogin()) return;
  markLoggedOut();
  router.render();
});

onSessionChange(renderTopRight);
onLangChange(() => { renderChrome(); router.render(); });
document.getElementById('lang-switch').addEventListener('click', () => setLang(getLang() === 'zh' ? 'en' : 'zh'));

router.route('dashboard', renderDashboard);
router.route('streamers', renderStreamers);
router.route('streamers/new', renderStreamerForm);
router.route('streamers/:id', renderStreamerForm);
router.route('templates', renderTemplates);
router.route('templates/new', renderTemplateForm);
router.route('templates/:id', renderTemplateForm);
router.route('history', renderHistory);
router.route('logs', renderLogs);
router.route('settings', renderSettings);
router.route('uploads', renderUploads);
router.route('accounts', renderAccounts);

async function boot() {
  const view = document.getElementById('view');
  renderChrome();
  try {
    await loadMe();
  } catch (e) {
    replace(view, h('section', {class: 'card', id: 'boot-error', 'data-testid': 'boot-error'},
      h('h2', null, t('boot.unreachable')), h('p', {class: 'error-text'}, e.message),
      h('button', {class: 'btn', type: 'button', onclick: boot}, t('action.retry'))));
    return;
  }
  router.start(view);
}

boot();
