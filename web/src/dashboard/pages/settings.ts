import { api, ApiError } from '../api.ts';
import { fill, h } from '../dom.ts';
import {
  SETTINGS_FIELDS,
  serverFieldError,
  toFormValues,
  validateSettings,
  type FieldErrors,
  type FormValues,
  type SettingsField,
} from '../settings-form.ts';
import { card, pageHeader, type PageContext } from '../shell.ts';
import type { DashboardUser, Settings } from '@voxanne/contracts/dashboard';

const VOICES = ['aura-2-thalia-en', 'aura-2-andromeda-en', 'aura-2-helena-en', 'aura-2-apollo-en', 'flite-slt'];

interface FieldSpec {
  label: string;
  help: string;
  kind: 'input' | 'textarea' | 'number';
  rows?: number;
}

const SPECS: Record<SettingsField, FieldSpec> = {
  agentName: { label: 'Agent name', help: 'The name she introduces herself with.', kind: 'input' },
  voice: {
    label: 'Voice',
    help: 'Deepgram Aura-2 voice when a Deepgram key is set; offline she uses the embedded voice.',
    kind: 'input',
  },
  greeting: { label: 'Greeting', help: 'The first thing callers hear.', kind: 'textarea', rows: 2 },
  instructions: {
    label: 'Instructions',
    help: 'How she should behave: tone, what to offer, what to avoid.',
    kind: 'textarea',
    rows: 4,
  },
  silenceTimeoutMs: {
    label: 'Silence timeout (ms)',
    help: 'How long the caller can be silent before she prompts them.',
    kind: 'number',
  },
  knowledgeBase: {
    label: 'Knowledge base (YAML)',
    help: 'Hours, address, services and prices, policies. She answers only from this.',
    kind: 'textarea',
    rows: 16,
  },
};

export async function renderSettings(ctx: PageContext): Promise<void> {
  const settings = await api<Settings>('/api/settings', { signal: ctx.signal });
  const readOnly = ctx.me.user.role !== 'owner';
  const controls = {} as Record<SettingsField, HTMLInputElement | HTMLTextAreaElement>;
  const errors = {} as Record<SettingsField, HTMLElement>;
  const values = toFormValues(settings);

  const fields = SETTINGS_FIELDS.map((f) => {
    const spec = SPECS[f];
    const common = {
      id: `s-${f}`,
      name: f,
      'aria-describedby': `s-${f}-help s-${f}-error`,
      disabled: readOnly,
      'data-testid': `setting-${f}`,
    };
    const control =
      spec.kind === 'textarea'
        ? h('textarea', {
            ...common,
            rows: spec.rows ?? 3,
            spellcheck: f !== 'knowledgeBase',
            class: f === 'knowledgeBase' ? 'code' : null,
          })
        : h('input', {
            ...common,
            type: spec.kind === 'number' ? 'number' : 'text',
            inputmode: spec.kind === 'number' ? 'numeric' : null,
            min: spec.kind === 'number' ? 0 : null,
            step: spec.kind === 'number' ? 100 : null,
            list: f === 'voice' ? 'voices' : null,
          });
    control.value = values[f];
    controls[f] = control;
    errors[f] = h('p', { class: 'field-error', id: `s-${f}-error`, 'data-testid': `error-${f}`, hidden: true });
    return h(
      'div',
      { class: `field field-${f}` },
      h('label', { for: `s-${f}` }, spec.label),
      control,
      h('p', { class: 'help', id: `s-${f}-help` }, spec.help),
      errors[f],
    );
  });

  const formMessage = h('p', {
    class: 'form-message',
    role: 'status',
    'data-testid': 'settings-message',
    hidden: true,
  });
  const save = h(
    'button',
    { type: 'submit', class: 'primary', 'data-testid': 'settings-save', disabled: readOnly },
    'Save settings',
  );
  const form = h(
    'form',
    { class: 'settings-form', novalidate: true, 'data-testid': 'settings-form' },
    h(
      'datalist',
      { id: 'voices' },
      VOICES.map((v) => h('option', { value: v })),
    ),
    fields,
    h('div', { class: 'form-actions' }, save, formMessage),
  );

  const showErrors = (errs: FieldErrors) => {
    for (const f of SETTINGS_FIELDS) {
      const msg = errs[f];
      errors[f].textContent = msg ?? '';
      errors[f].hidden = !msg;
      controls[f].toggleAttribute('aria-invalid', Boolean(msg));
    }
    const first = SETTINGS_FIELDS.find((f) => errs[f]);
    if (first) controls[first].focus();
  };
  const say = (text: string, kind: 'ok' | 'bad') => {
    formMessage.textContent = text;
    formMessage.className = `form-message form-message-${kind}`;
    formMessage.hidden = false;
  };

  // an event listener cannot be awaited; an unexpected error stays an unhandled rejection, as before
  form.addEventListener(
    'submit',
    (ev) =>
      void (async () => {
        ev.preventDefault();
        if (readOnly) return;
        formMessage.hidden = true;
        const current = Object.fromEntries(SETTINGS_FIELDS.map((f) => [f, controls[f].value])) as FormValues;
        const v = validateSettings(current);
        if (!v.ok) {
          showErrors(v.errors);
          say('Fix the highlighted fields, then save again.', 'bad');
          return;
        }
        showErrors({});
        save.disabled = true;
        save.textContent = 'Saving…';
        try {
          await api('/api/settings', { method: 'PUT', body: v.value });
          say('Saved. The next call uses these settings.', 'ok');
        } catch (e) {
          if (e instanceof ApiError && e.status === 400) {
            const { field, message } = serverFieldError({ error: e.message, field: e.field });
            if (field) showErrors({ [field]: message });
            say(field ? 'Fix the highlighted field, then save again.' : message, 'bad');
          } else if (e instanceof ApiError && e.status === 403) {
            say('Only the clinic owner can change settings.', 'bad');
          } else if (e instanceof ApiError) {
            say(e.message, 'bad');
          } else throw e;
        } finally {
          save.disabled = false;
          save.textContent = 'Save settings';
        }
      })(),
  );

  fill(
    ctx.root,
    pageHeader('Settings', 'How Voxanne answers your clinic’s calls.'),
    readOnly
      ? h(
          'div',
          { class: 'banner banner-info', 'data-testid': 'settings-readonly' },
          'Only the clinic owner can change settings. You can read them here.',
        )
      : null,
    card(null, form),
    readOnly ? null : await usersCard(ctx),
  );
}

/**
 * The clinic's users, for the owner: a user locked out by failed logins (someone guessing their
 * password, or a colleague's typos) can be let back in at once instead of waiting out the limit.
 */
async function usersCard(ctx: PageContext): Promise<HTMLElement> {
  const { users } = await api<{ users: DashboardUser[] }>('/api/users', { signal: ctx.signal });
  const message = h('p', { class: 'form-message', role: 'status', 'data-testid': 'users-message', hidden: true });
  const say = (text: string, kind: 'ok' | 'bad') => {
    message.textContent = text;
    message.className = `form-message form-message-${kind}`;
    message.hidden = false;
  };
  const rows = users.map((u) => {
    const unlock = h(
      'button',
      { type: 'button', 'data-testid': 'user-unlock', 'data-user': u.id, 'aria-label': `Unlock login for ${u.name}` },
      'Unlock login',
    );
    unlock.addEventListener(
      'click',
      () =>
        void (async () => {
          unlock.disabled = true;
          try {
            await api(`/api/users/${encodeURIComponent(u.id)}/unlock`, { method: 'POST' });
            say(`${u.name} can log in again now.`, 'ok');
          } catch (e) {
            if (e instanceof ApiError) say(e.message, 'bad');
            else throw e;
          } finally {
            unlock.disabled = false;
          }
        })(),
    );
    return h(
      'tr',
      { 'data-testid': 'user-row' },
      h('td', {}, u.name),
      h('td', {}, u.email),
      h('td', {}, u.role === 'owner' ? 'Owner' : 'Staff'),
      h('td', {}, unlock),
    );
  });
  return card(
    'Users',
    h('p', { class: 'help' }, 'After too many failed logins a user must wait; unlock lets them try again at once.'),
    h(
      'table',
      { class: 'table', 'data-testid': 'users-table' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Email'), h('th', {}, 'Role'), h('th', {}, ''))),
      h('tbody', {}, rows),
    ),
    message,
  );
}
