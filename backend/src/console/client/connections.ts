/**
 * The Connections page in the browser: the connect modal's steps, validation by the server's own rules
 * (shared/), and each row's actions. Bundled for the browser by console/assets.ts.
 */
import {
  connectMessages,
  connectModalCopy,
  customFieldRequired,
  healthMessages,
  METHOD_LABELS,
  subdomainProblem,
} from '@jira-integration/shared';

type Method = 'managed' | 'custom';

interface ConnectForm {
  form: HTMLFormElement;
  /** Fields that must be filled before submit is enabled. */
  required: string[];
  /** Shows each field's problem (an empty field once it was left or the form submitted); true when all is well. */
  validate(shown: (id: string) => boolean): boolean;
  body(): Record<string, string>;
  subdomainField: string;
  url: string;
  fallback: string;
  /** Fields the admin has left (blur) since the form opened; all of them once submit was tried. */
  left: Set<string>;
  submitted: boolean;
  /** The admin agreed to replace the existing connection the form would overwrite. */
  replaceConfirmed: boolean;
  refresh(): void;
}

/** A row's connection, as the page rendered it. */
interface ExistingConnection {
  id: string;
  site: string;
  subdomain: string;
  method: Method;
  connectedAs: string;
}

function element<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

const value = (id: string) => element<HTMLInputElement>(id).value;
const modal = element<HTMLDialogElement>('connect-modal');
const copy = connectModalCopy(modal.dataset.productName ?? '');
const steps = modal.querySelectorAll<HTMLElement>('[data-step]');
const title = element('connect-title');
/** Set while the modal reconnects a row's connection. */
let reconnecting: ExistingConnection | undefined;

const rows = [...document.querySelectorAll<HTMLTableRowElement>('tr[data-connection-id]')];
function existingOf(row: HTMLTableRowElement): ExistingConnection {
  return {
    id: row.dataset.connectionId!,
    site: row.dataset.site!,
    subdomain: row.dataset.subdomain!,
    method: row.dataset.connectionMethod as Method,
    connectedAs: row.dataset.connectedAs!,
  };
}

// "Jira site connected." and a failed connect's message belong to the connect that just happened, not to a
// reload or a bookmark.
const shownOnce = new URLSearchParams(window.location.search);
if (shownOnce.has('connected') || shownOnce.has('error')) {
  history.replaceState(null, '', window.location.pathname);
}

function show(step: string) {
  for (const el of steps) el.hidden = el.dataset.step !== step;
}

function subdomainMessage(typed: string, requiredMessage: string): string {
  const problem = subdomainProblem(typed);
  if (problem === 'required') return requiredMessage;
  return problem === 'invalid' ? connectMessages.subdomainInvalid : '';
}

function setError(id: string, text: string) {
  element(`${id}-error`).textContent = text;
}

/** Whether submitting would overwrite a connection the admin has not agreed to replace; the question to ask. */
function replaceQuestionFor(method: Method, subdomain: string): string | undefined {
  const existing = rows.map(existingOf).find((row) => row.subdomain === subdomain);
  if (!existing) return undefined;
  if (reconnecting?.id === existing.id) {
    return existing.method === method
      ? undefined
      : connectMessages.methodChange(METHOD_LABELS[existing.method], METHOD_LABELS[method]);
  }
  return connectMessages.replaceQuestion(existing.site, METHOD_LABELS[existing.method], existing.connectedAs);
}

function connectForm(
  spec: Omit<ConnectForm, 'left' | 'submitted' | 'replaceConfirmed' | 'refresh' | 'form'> & {
    formId: string;
    method: Method;
  },
): ConnectForm {
  const form = element<HTMLFormElement>(spec.formId);
  const submit = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
  const alertBox = form.querySelector<HTMLElement>('.alert')!;
  const alertText = alertBox.querySelector<HTMLElement>('.alert-text')!;
  const replaceButton = alertBox.querySelector<HTMLButtonElement>('[data-replace]')!;
  const connect: ConnectForm = {
    ...spec,
    form,
    left: new Set(),
    submitted: false,
    replaceConfirmed: false,
    refresh() {
      const filled = connect.required.every((id) => value(id).trim() !== '');
      const valid = connect.validate((id) => connect.submitted || connect.left.has(id) || !!value(id).trim());
      submit.disabled = !(filled && valid);
    },
  };
  function showAlert(text: string, askReplace: boolean) {
    alertText.textContent = text;
    replaceButton.hidden = !askReplace;
    alertBox.hidden = false;
  }
  form.addEventListener('input', () => {
    connect.replaceConfirmed = false;
    alertBox.hidden = true;
    connect.refresh();
  });
  form.addEventListener('focusout', (event) => {
    const target = event.target as HTMLElement;
    if (target instanceof HTMLInputElement && target.id) {
      connect.left.add(target.id);
      connect.refresh();
    }
  });
  replaceButton.addEventListener('click', () => {
    connect.replaceConfirmed = true;
    form.requestSubmit();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    connect.submitted = true;
    connect.refresh();
    if (submit.disabled) return;
    const question = replaceQuestionFor(spec.method, value(spec.subdomainField));
    if (question && !connect.replaceConfirmed) {
      showAlert(question, true);
      return;
    }
    // Reconnecting a row replaces that row's connection: the admin asked for it with Reconnect.
    const replace = connect.replaceConfirmed || reconnecting?.subdomain === value(spec.subdomainField);
    submit.disabled = true;
    alertBox.hidden = true;
    try {
      const response = await fetch(connect.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...connect.body(), ...(replace ? { replace: true } : {}) }),
      });
      const payload = (await response.json().catch(() => ({}))) as {
        authorizeUrl?: string;
        error?: { code?: string; message?: string };
      };
      if (!response.ok || !payload.authorizeUrl) {
        // Connected meanwhile (another tab or person): ask, as for a row on the page.
        if (payload.error?.code === 'connection_exists') {
          showAlert(payload.error.message ?? connect.fallback, true);
          submit.disabled = false;
          return;
        }
        throw new Error(payload.error?.message || connect.fallback);
      }
      window.location.assign(payload.authorizeUrl);
    } catch (error) {
      showAlert((error as Error).message || connect.fallback, false);
      submit.disabled = false;
    }
  });
  return connect;
}

const forms: Record<Method, ConnectForm> = {
  managed: connectForm({
    formId: 'managed-form',
    method: 'managed',
    subdomainField: 'managed-subdomain',
    required: ['managed-subdomain'],
    validate(shown) {
      const problem = subdomainMessage(value('managed-subdomain'), connectMessages.subdomainRequired);
      setError('managed-subdomain', shown('managed-subdomain') ? problem : '');
      return !problem;
    },
    body: () => ({ subdomain: value('managed-subdomain') }),
    url: '/v1/jira/connections/managed/start',
    fallback: connectMessages.managedStartFailed,
  }),
  custom: connectForm({
    formId: 'custom-form',
    method: 'custom',
    subdomainField: 'custom-subdomain',
    required: ['custom-subdomain', 'custom-clientId', 'custom-clientSecret'],
    validate(shown) {
      // The spec's message for an empty site is the same in both forms.
      const problem = subdomainMessage(value('custom-subdomain'), connectMessages.subdomainRequired);
      setError('custom-subdomain', shown('custom-subdomain') ? problem : '');
      const idEmpty = !value('custom-clientId').trim();
      const secretEmpty = !value('custom-clientSecret');
      setError('custom-clientId', idEmpty && shown('custom-clientId') ? customFieldRequired('clientId') : '');
      setError(
        'custom-clientSecret',
        secretEmpty && shown('custom-clientSecret') ? customFieldRequired('clientSecret') : '',
      );
      return !problem && !idEmpty && !secretEmpty;
    },
    body: () => ({
      displayName: value('custom-displayName'),
      subdomain: value('custom-subdomain'),
      clientId: value('custom-clientId'),
      clientSecret: value('custom-clientSecret'),
    }),
    url: '/v1/jira/connections/custom/start',
    fallback: connectMessages.customStartFailedPrefix,
  }),
};

function openModal(method?: Method, prefill?: Record<string, string>, reconnect?: ExistingConnection) {
  reconnecting = reconnect;
  title.textContent = reconnect ? copy.reconnectTitle(reconnect.site) : copy.title;
  element('secret-reenter').hidden = !reconnect;
  for (const spec of Object.values(forms)) {
    spec.form.reset();
    spec.left.clear();
    spec.submitted = false;
    spec.replaceConfirmed = false;
    spec.form.querySelector<HTMLElement>('.alert')!.hidden = true;
    for (const error of spec.form.querySelectorAll('.field-error')) error.textContent = '';
  }
  if (reconnect) {
    // Either form reconnects the same site; the other method is offered knowingly (see replaceQuestionFor).
    element<HTMLInputElement>('managed-subdomain').value = reconnect.subdomain;
    element<HTMLInputElement>('custom-subdomain').value = reconnect.subdomain;
  }
  if (method && prefill) {
    for (const [key, given] of Object.entries(prefill)) {
      const input = document.getElementById(`${method}-${key}`) as HTMLInputElement | null;
      // The secret is never pre-filled, whatever the server sends.
      if (input && key !== 'clientSecret') input.value = given;
    }
  }
  const callback = element<HTMLInputElement>('custom-callbackUrl');
  callback.value = callback.defaultValue;
  show(method ?? 'choose');
  for (const spec of Object.values(forms)) spec.refresh();
  if (!modal.open) modal.showModal();
}

element('open-connect').addEventListener('click', () => openModal());
for (const button of modal.querySelectorAll<HTMLElement>('[data-method]')) {
  button.addEventListener('click', () => {
    const method = button.dataset.method as Method;
    show(method);
    forms[method].refresh();
  });
}
for (const button of modal.querySelectorAll('[data-back]')) {
  button.addEventListener('click', () => show('choose'));
}
modal.querySelector('[data-close]')!.addEventListener('click', () => modal.close());

element('copy-callback').addEventListener('click', async (event) => {
  const field = element<HTMLInputElement>('custom-callbackUrl');
  const button = event.target as HTMLButtonElement;
  try {
    await navigator.clipboard.writeText(field.value);
  } catch {
    field.select();
    document.execCommand('copy');
  }
  button.textContent = copy.copied;
  setTimeout(() => {
    button.textContent = copy.copy;
  }, 2000);
});

async function api<T>(method: string, url: string, body?: unknown): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const payload = response.status === 204 ? {} : await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(
      (payload as { error?: { message?: string } }).error?.message || `Request failed (${response.status})`,
    );
  }
  return payload as T;
}

function listItem(text: string, className?: string) {
  const item = document.createElement('li');
  item.textContent = text;
  if (className) item.className = className;
  return item;
}

function pageStatus(text: string) {
  const status = element('page-status');
  status.textContent = text;
  status.hidden = false;
  document.getElementById('connected-banner')?.remove();
}

for (const row of rows) {
  const existing = existingOf(row);
  const base = `/v1/jira/connections/${encodeURIComponent(existing.id)}`;
  row.querySelector('[data-action=reconnect]')!.addEventListener('click', async () => {
    const { method, ...fields } = await api<{ method: Method } & Record<string, string>>(
      'GET',
      `${base}/reconnect`,
    );
    openModal(method, fields, existing);
  });
  row.querySelector('[data-action=disconnect]')!.addEventListener('click', async () => {
    if (!confirm(connectMessages.disconnectQuestion(existing.site))) return;
    try {
      await api('DELETE', base);
      row.remove();
      pageStatus(connectMessages.disconnected(existing.site));
    } catch (error) {
      alert((error as Error).message);
    }
  });
  row.querySelector('[data-action=ticket-syncing]')!.addEventListener('change', async (event) => {
    const toggle = event.target as HTMLInputElement;
    try {
      await api('PATCH', base, { ticketSyncing: toggle.checked });
    } catch (error) {
      toggle.checked = !toggle.checked;
      alert((error as Error).message);
    }
  });
  row.querySelector('[data-action=health]')!.addEventListener('click', async (event) => {
    const button = event.target as HTMLButtonElement;
    const list = row.querySelector('.health-results')!;
    button.disabled = true;
    list.replaceChildren(listItem(healthMessages.running));
    try {
      const { results } = await api<{
        results: Array<{ name: string; ok: boolean; message: string; cause?: string }>;
      }>('POST', `${base}/health-checks`);
      list.replaceChildren(
        ...results.map((result) => {
          const item = listItem(
            `${result.ok ? '✓ ' : '✗ '}${result.name}: ${result.message}${result.cause ? ` ${result.cause}` : ''}`,
            result.ok ? 'ok' : 'bad',
          );
          item.dataset.check = result.name;
          return item;
        }),
      );
    } catch (error) {
      list.replaceChildren(listItem((error as Error).message, 'bad'));
    } finally {
      button.disabled = false;
    }
  });
}
