import { api, ApiError } from '../api.ts';
import { h } from '../dom.ts';
import { safeNext } from '../routes.ts';

export function renderLogin(root: HTMLElement): void {
  const email = h('input', {
    id: 'email',
    name: 'email',
    type: 'email',
    autocomplete: 'username',
    required: true,
    'data-testid': 'login-email',
  });
  const password = h('input', {
    id: 'password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    'data-testid': 'login-password',
  });
  const error = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'login-error', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'login-submit' }, 'Log in');
  const form = h(
    'form',
    { class: 'login-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'email' }, 'Email'), email),
    h('div', { class: 'field' }, h('label', { for: 'password' }, 'Password'), password),
    error,
    submit,
  );
  // an event listener cannot be awaited; a failed login is shown inside
  form.addEventListener(
    'submit',
    (ev) =>
      void (async () => {
        ev.preventDefault();
        error.hidden = true;
        if (!email.value.trim() || !password.value) {
          error.textContent = 'Enter your email and password.';
          error.hidden = false;
          return;
        }
        submit.disabled = true;
        submit.textContent = 'Logging in…';
        try {
          await api('/api/auth/login', {
            method: 'POST',
            body: { email: email.value.trim(), password: password.value },
          });
          window.location.assign(safeNext(new URLSearchParams(window.location.search).get('next')));
          return;
        } catch (e) {
          const status = e instanceof ApiError ? e.status : 0;
          error.textContent =
            status === 401
              ? 'That email and password do not match an account.'
              : status === 429
                ? retryMessage(e instanceof ApiError ? e.message : '')
                : e instanceof ApiError
                  ? e.message
                  : 'Logging in failed. Try again.';
          error.hidden = false;
          password.value = '';
          password.focus();
        }
        submit.disabled = false;
        submit.textContent = 'Log in';
      })(),
  );
  document.title = 'Log in · Voxanne';
  root.replaceChildren(
    h(
      'main',
      { class: 'login-page' },
      h(
        'section',
        { class: 'login-card' },
        h(
          'div',
          { class: 'login-brand' },
          h('span', { class: 'logo', 'aria-hidden': 'true' }, 'V'),
          h('div', {}, h('h1', {}, 'Voxanne'), h('p', { class: 'subtitle' }, 'Clinic dashboard')),
        ),
        form,
        h('p', { class: 'muted small' }, 'Staff accounts are created by the clinic owner.'),
      ),
    ),
  );
  email.focus();
}

/** the server says how long (`… try again in 12 minutes`); the page says it in a sentence */
export function retryMessage(serverError: string): string {
  const when = /try again in (\d+ (?:seconds?|minutes?))$/.exec(serverError)?.[1];
  const wait = when ?? 'a few minutes';
  return `Too many failed logins. Try again in ${wait}, or ask the clinic owner to unlock your account.`;
}
