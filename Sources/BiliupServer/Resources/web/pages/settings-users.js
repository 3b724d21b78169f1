// Users (admin only): list, add, change password, grant/revoke admin, delete.
import * as api from '../http.js';
import {h, replace} from '../dom.js';
import {t} from '../i18n.js';
import * as toast from '../toast.js';
import {loading, button, table, empty, checkbox, actionButton} from '../ui.js';
import {currentMe} from '../session.js';

export function usersSection() {
  let alive = true;
  const el = h('section', {class: 'card', id: 'settings-users', 'data-testid': 'settings-users'},
    h('h2', null, t('users.title')), loading());

  async function run(action, doneText) {
    try {
      await action();
      if (doneText) toast.info(doneText);
      await load();
    } catch (e) {
      toast.error(e);
    }
  }

  function passwordCell(user) {
    const cell = h('td', null);
    const open = () => {
      const input = h('input', {type: 'password', autocomplete: 'new-password', 'data-testid': 'user-new-password',
        placeholder: t('users.newPassword')});
      const form = h('form', {class: 'inline'}, input,
        h('button', {type: 'submit', class: 'btn small primary'}, t('action.save')),
        button(t('action.cancel'), () => replace(cell, opener), {class: 'btn small ghost'}));
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        if (!input.value) return;
        run(() => api.put(`/api/users/${user.id}`, {password: input.value}), t('users.passwordChanged', {name: user.name}));
      });
      replace(cell, form);
      input.focus();
    };
    const opener = button(t('users.changePassword'), open, {class: 'btn small', 'data-testid': 'user-password'});
    return replace(cell, opener);
  }

  function row(user) {
    const me = currentMe().user;
    const self = me && me.id === user.id;
    return h('tr', {'data-testid': 'user-row', 'data-name': user.name},
      h('td', null, user.name, self ? h('span', {class: 'muted'}, ` (${t('users.you')})`) : null),
      h('td', null, h('input', {type: 'checkbox', checked: Boolean(user.admin), 'aria-label': t('users.admin'),
        'data-testid': 'user-admin',
        onchange: (event) => run(() => api.put(`/api/users/${user.id}`, {admin: event.target.checked}))})),
      passwordCell(user),
      h('td', null, button(t('action.delete'), () => {
        if (confirm(t('users.confirmDelete', {name: user.name}))) run(() => api.del(`/api/users/${user.id}`), t('users.deleted', {name: user.name}));
      }, {class: 'btn small danger', 'data-testid': 'user-delete'})));
  }

  function addForm() {
    const name = h('input', {id: 'user-add-name', 'data-testid': 'user-add-name', placeholder: t('login.username'),
      required: true, autocomplete: 'off'});
    const password = h('input', {id: 'user-add-password', 'data-testid': 'user-add-password', type: 'password',
      placeholder: t('login.password'), required: true, autocomplete: 'new-password'});
    const admin = h('input', {type: 'checkbox', id: 'user-add-admin', 'data-testid': 'user-add-admin'});
    const form = h('form', {class: 'toolbar', id: 'user-add-form'}, name, password, checkbox(t('users.admin'), admin),
      h('button', {type: 'submit', class: 'btn primary', 'data-testid': 'user-add'}, t('users.add')));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      run(() => api.post('/api/users', {name: name.value.trim(), password: password.value, admin: admin.checked}),
        t('users.added', {name: name.value.trim()}));
    });
    return form;
  }

  async function load() {
    try {
      const users = api.items(await api.get('/api/users'));
      if (!alive) return;
      replace(el, h('h2', null, t('users.title')),
        users.length ? table([t('login.username'), t('users.admin'), t('login.password'), ''], users.map(row),
          {'data-testid': 'user-table'}) : empty(t('users.none')),
        h('h3', null, t('users.add')), addForm());
    } catch (e) {
      if (alive) replace(el, h('h2', null, t('users.title')), h('p', {class: 'error-text'}, e.message));
    }
  }

  load();
  return {el, cleanup: () => { alive = false; }};
}
