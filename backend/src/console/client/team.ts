/** The Team page in the browser: create and revoke API keys through the keys API. */

function element<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

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

const errorBox = element('key-error');
function showError(error: unknown) {
  errorBox.textContent = (error as Error).message;
  errorBox.hidden = false;
}

element<HTMLFormElement>('create-key').addEventListener('submit', async (event) => {
  event.preventDefault();
  errorBox.hidden = true;
  try {
    const created = await api<{ key: string }>('POST', '/v1/team/keys', {
      name: element<HTMLInputElement>('key-name').value,
    });
    element('new-key-value').textContent = created.key;
    element('new-key').hidden = false;
  } catch (error) {
    showError(error);
  }
});

for (const row of document.querySelectorAll<HTMLTableRowElement>('tr[data-key-id]')) {
  row.querySelector('[data-action=revoke]')?.addEventListener('click', async (event) => {
    if (!confirm(`Revoke the key "${row.dataset.keyName}"? Anything using it stops working at once.`)) return;
    errorBox.hidden = true;
    try {
      await api('DELETE', `/v1/team/keys/${encodeURIComponent(row.dataset.keyId!)}`);
      (event.target as HTMLElement).replaceWith(
        Object.assign(document.createElement('span'), {
          className: 'badge',
          textContent: 'Revoked',
        }),
      );
    } catch (error) {
      showError(error);
    }
  });
}
