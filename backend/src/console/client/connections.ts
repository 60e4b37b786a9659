/**
 * The Connections page in the browser: the connect modal's steps, validation by the server's own rules
 * (shared/), and each row's actions. Bundled for the browser by console/assets.ts.
 */
import {
  connectMessages,
  connectModalCopy,
  customFieldRequired,
  subdomainProblem,
} from '@jira-integration/shared';

type Method = 'managed' | 'custom';

interface ConnectForm {
  form: HTMLFormElement;
  /** Fields that must be filled before submit is enabled. */
  required: string[];
  /** Shows each field's problem (empty fields only once the user tried to submit); true when all is well. */
  validate(touched: boolean): boolean;
  body(): Record<string, string>;
  url: string;
  fallback: string;
  touched: boolean;
  refresh(): void;
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

function connectForm(
  spec: Omit<ConnectForm, 'touched' | 'refresh' | 'form'> & { formId: string },
): ConnectForm {
  const form = element<HTMLFormElement>(spec.formId);
  const submit = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
  const alertBox = form.querySelector<HTMLElement>('.alert')!;
  const connect: ConnectForm = {
    ...spec,
    form,
    touched: false,
    refresh() {
      const filled = connect.required.every((id) => value(id).trim() !== '');
      const valid = connect.validate(connect.touched);
      submit.disabled = !(filled && valid);
    },
  };
  form.addEventListener('input', () => connect.refresh());
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    connect.touched = true;
    connect.refresh();
    if (submit.disabled) return;
    submit.disabled = true;
    alertBox.hidden = true;
    try {
      const response = await fetch(connect.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(connect.body()),
      });
      const payload = (await response.json().catch(() => ({}))) as {
        authorizeUrl?: string;
        error?: { message?: string };
      };
      if (!response.ok || !payload.authorizeUrl) throw new Error(payload.error?.message || connect.fallback);
      window.location.assign(payload.authorizeUrl);
    } catch (error) {
      alertBox.textContent = (error as Error).message || connect.fallback;
      alertBox.hidden = false;
      submit.disabled = false;
    }
  });
  return connect;
}

const forms: Record<Method, ConnectForm> = {
  managed: connectForm({
    formId: 'managed-form',
    required: ['managed-subdomain'],
    validate(touched) {
      const typed = value('managed-subdomain');
      const problem = subdomainMessage(typed, connectMessages.subdomainRequired);
      setError('managed-subdomain', typed.trim() || touched ? problem : '');
      return !problem;
    },
    body: () => ({ subdomain: value('managed-subdomain') }),
    url: '/v1/jira/connections/managed/start',
    fallback: connectMessages.managedStartFailed,
  }),
  custom: connectForm({
    formId: 'custom-form',
    required: ['custom-subdomain', 'custom-clientId', 'custom-clientSecret'],
    validate(touched) {
      const typed = value('custom-subdomain');
      const problem = subdomainMessage(typed, customFieldRequired('subdomain'));
      setError('custom-subdomain', typed.trim() || touched ? problem : '');
      const idEmpty = !value('custom-clientId').trim();
      const secretEmpty = !value('custom-clientSecret');
      setError('custom-clientId', idEmpty && touched ? customFieldRequired('clientId') : '');
      setError('custom-clientSecret', secretEmpty && touched ? customFieldRequired('clientSecret') : '');
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

function openModal(method?: Method, prefill?: Record<string, string>) {
  for (const spec of Object.values(forms)) {
    spec.form.reset();
    spec.touched = false;
    spec.form.querySelector<HTMLElement>('.alert')!.hidden = true;
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
  if (method) forms[method].refresh();
  if (!modal.open) modal.showModal();
}

element('open-connect').addEventListener('click', () => openModal());
for (const button of modal.querySelectorAll<HTMLElement>('[data-method]')) {
  button.addEventListener('click', () => openModal(button.dataset.method as Method));
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

for (const row of document.querySelectorAll<HTMLTableRowElement>('tr[data-connection-id]')) {
  const base = `/v1/jira/connections/${encodeURIComponent(row.dataset.connectionId!)}`;
  row.querySelector('[data-action=reconnect]')!.addEventListener('click', async () => {
    const { method, ...fields } = await api<{ method: Method } & Record<string, string>>(
      'GET',
      `${base}/reconnect`,
    );
    openModal(method, fields);
  });
  row.querySelector('[data-action=disconnect]')!.addEventListener('click', async () => {
    if (!confirm('Disconnect this Jira site?')) return;
    await api('DELETE', base);
    row.remove();
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
    list.replaceChildren(listItem('Running…'));
    try {
      const { results } = await api<{ results: Array<{ name: string; ok: boolean; message: string }> }>(
        'POST',
        `${base}/health-checks`,
      );
      list.replaceChildren(
        ...results.map((result) => {
          const item = listItem(
            `${result.ok ? '✓ ' : '✗ '}${result.name}: ${result.message}`,
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
