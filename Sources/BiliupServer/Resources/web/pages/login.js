// The login page, shown instead of any page while a login is required and missing.
import {h} from '../dom.js';
import {t} from '../i18n.js';
import {login} from '../session.js';

export function renderLogin(root, {onLoggedIn}) {
  const username = h('input', {id: 'login-username', name: 'username', autocomplete: 'username',
    required: true, autofocus: true, 'data-testid': 'login-username'});
  const password = h('input', {id: 'login-password', name: 'password', type: 'password',
    autocomplete: 'current-password', required: true, 'data-testid': 'login-password'});
  const message = h('p', {id: 'login-error', class: 'error-text', role: 'alert', 'data-testid': 'login-error'});
  const submit = h('button', {id: 'login-submit', type: 'submit', class: 'btn primary', 'data-testid': 'login-submit'},
    t('login.submit'));

  const form = h('form', {id: 'login-form', class: 'card login', 'data-testid': 'login-form'},
    h('h1', null, 'biliup'),
    h('p', {class: 'muted'}, t('login.intro')),
    h('label', {class: 'field'}, h('span', {class: 'field-label'}, t('login.username')), username),
    h('label', {class: 'field'}, h('span', {class: 'field-label'}, t('login.password')), password),
    message, submit);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.textContent = '';
    submit.disabled = true;
    try {
      await login(username.value.trim(), password.value);
      onLoggedIn();
    } catch (e) {
      message.textContent = e.message;
      password.select();
    } finally {
      submit.disabled = false;
    }
  });

  root.append(h('div', {class: 'login-wrap'}, form));
  username.focus();
}
