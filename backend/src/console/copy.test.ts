import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../test-support/context';

/** The console's copy follows PRODUCT_NAME, the support address included. */
describe('console copy with another product name', () => {
  let t: TestContext;
  let cookie: string;
  beforeAll(async () => {
    t = await createTestContext({ env: { PRODUCT_NAME: 'Acme Desk' } });
    const login = await t.app.request('/console/login', {
      method: 'POST',
      body: new URLSearchParams({ apiKey: t.team.key }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:3000' },
    });
    cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  });
  afterAll(() => t.close());

  const page = async (path: string) => (await t.app.request(path, { headers: { cookie } })).text();
  const support = 'Need help? Contact support@acmedesk.com for assistance with your Jira integration.';

  it('the connect modal and error banners give the product’s support address', async () => {
    const html = await page('/console/connections?error=oauth_callback_failed');
    expect(html.split(support)).toHaveLength(3); // the banner and the modal
    expect(html).toContain('Connect using the Acme Desk-managed Jira integration.');
    expect(html).toContain('A friendly name shown in Acme Desk - you choose this.');
    expect(html).not.toContain('serval');
  });

  it('the Tickets page names the product and has one heading', async () => {
    const html = await page('/console/tickets');
    expect(html).toContain(support);
    expect(html).toContain('Two-way sync between Acme Desk tickets and Jira issues');
    expect(html.match(/<h1[ >]/g)).toHaveLength(1);
    expect(html).not.toContain('<h2>Ticket syncing</h2>');
  });

  it('a connected banner shows only for a connection of the team (no text from the address)', async () => {
    expect(await page('/console/connections?connected=not-a-connection')).not.toContain('connected-banner');
  });
});
