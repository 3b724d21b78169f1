// Settings: language, the signed-in account and logout, recording options (GET/PUT /api/config),
// and for admins the users, API tokens and webhooks.
import {h} from '../dom.js';
import {t, getLang, setLang, LANGUAGES} from '../i18n.js';
import * as toast from '../toast.js';
import * as router from '../router.js';
import {currentMe, isAdmin, logout} from '../session.js';
import {pageHeader, field, actionButton} from '../ui.js';
import {configSection} from './settings-config.js';
import {usersSection} from './settings-users.js';
import {tokensSection} from './settings-tokens.js';
import {webhooksSection} from './settings-webhooks.js';

export function renderSettings(root) {
  const me = currentMe();
  const lang = h('select', {id: 'settings-lang', 'data-testid': 'settings-lang'},
    LANGUAGES.map(([code, label]) => h('option', {value: code, selected: code === getLang()}, label)));
  lang.addEventListener('change', () => setLang(lang.value));

  const account = h('section', {class: 'card', id: 'settings-account', 'data-testid': 'settings-account'},
    h('h2', null, t('settings.account')),
    field(t('settings.language'), lang),
    me.user
      ? h('p', null, t('settings.signedInAs', {name: me.user.name}), me.user.admin ? ` (${t('settings.admin')})` : '')
      : h('p', {class: 'muted'}, me.login_required ? t('settings.notSignedIn') : t('settings.noLogin')),
    me.user ? actionButton(t('settings.logout'), async () => {
      try {
        await logout();
        router.navigate('#/dashboard');
      } catch (e) {
        toast.error(e);
      }
    }, {id: 'logout', 'data-testid': 'logout'}) : null);

  const cleanups = [];
  root.append(pageHeader(t('nav.settings')), account);
  const config = configSection();
  root.append(config.el);
  cleanups.push(config.cleanup);
  // Without a login every request is allowed, so the user and token sections are shown then too.
  if (isAdmin() || !me.login_required) {
    for (const section of [usersSection(), tokensSection(), webhooksSection()]) {
      root.append(section.el);
      cleanups.push(section.cleanup);
    }
  }
  return () => { for (const fn of cleanups) fn(); };
}
