import { auditLog } from '@jira-integration/backend/db/schema';
import { flushProxyAudit } from '@jira-integration/backend/proxy/audit';
import { insertTestConnection } from '@jira-integration/backend/test-support/connections';
import { JIRA_OAUTH_SCOPES } from '@jira-integration/shared';
import { eq } from 'drizzle-orm';
import { Version3Client } from 'jira.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANAGED_CLIENT, startWorld, type World } from '../support/world';

let world: World;
let connectionId: string;
let alice: { accountId: string; displayName: string };
let acme: { cloudId: string };
let userToken: string;

beforeAll(async () => {
  world = await startWorld();
  const { sandbox, backend } = world;
  const { acme: site, alice: user } = world.seeded;
  alice = user;
  acme = site;
  userToken = sandbox.issueUserToken({
    clientId: MANAGED_CLIENT.clientId,
    accountId: user.accountId,
    cloudIds: [site.cloudId],
    scopes: [...JIRA_OAUTH_SCOPES],
  });
  const connection = await insertTestConnection(backend.services, {
    teamId: backend.team.id,
    cloudId: site.cloudId,
    siteUrl: site.url,
    accountId: user.accountId,
    accessToken: userToken,
  });
  connectionId = connection.id;
});

afterAll(async () => {
  await world?.close();
});

const proxyBase = () => `${world.backend.url}/v1/jira/connections/${connectionId}/proxy`;

describe('the Jira proxy against the sandbox', () => {
  it('is transparent to jira.js: myself, project search, create issue, transitions', async () => {
    const client = new Version3Client({
      host: proxyBase(),
      authentication: { oauth2: { accessToken: world.backend.team.key } },
    });
    const me = await client.myself.getCurrentUser();
    expect(me.accountId).toBe(alice.accountId);
    expect(me.displayName).toBe('Alice Admin');

    const projects = await client.projects.searchProjects({ maxResults: 50 });
    const project = [...world.sandbox.state.projects.values()].find(
      (candidate) => candidate.cloudId === acme.cloudId && candidate.projectTypeKey === 'software',
    )!;
    expect(projects.values?.map((value) => value.key)).toContain(project.key);

    const created = await client.issues.createIssue({
      fields: {
        project: { key: project.key },
        summary: 'Created through the proxy by jira.js',
        issuetype: { id: project.issueTypeIds[0] },
      },
    });
    expect(created.key).toMatch(new RegExp(`^${project.key}-\\d+$`));

    const transitions = await client.issues.getTransitions({ issueIdOrKey: created.key });
    expect(transitions.transitions?.length).toBeGreaterThan(0);

    const issue = await client.issues.getIssue({ issueIdOrKey: created.key, fields: ['summary'] });
    expect(issue.fields.summary).toBe('Created through the proxy by jira.js');
  });

  it("answers exactly what Jira answers, including Jira's own errors", async () => {
    const direct = await fetch(`${world.sandbox.url}/ex/jira/${acme.cloudId}/rest/api/3/issue/NOPE-999`, {
      headers: { authorization: `Bearer ${userToken}`, accept: 'application/json' },
    });
    const proxied = await fetch(`${proxyBase()}/rest/api/3/issue/NOPE-999`, {
      headers: { authorization: `Bearer ${world.backend.team.key}`, accept: 'application/json' },
    });
    expect(proxied.status).toBe(direct.status);
    expect(await proxied.text()).toBe(await direct.text());
  });

  it('streams an attachment through byte for byte', async () => {
    const attachment = [...world.sandbox.state.attachments.values()].sort((a, b) => b.size - a.size)[0];
    const response = await fetch(`${proxyBase()}/rest/api/3/attachment/content/${attachment.id}`, {
      headers: { authorization: `Bearer ${world.backend.team.key}` },
    });
    expect(response.status).toBe(200);
    expect((await response.arrayBuffer()).byteLength).toBe(attachment.size);
  });

  it('audits the calls', async () => {
    const audited = async () => {
      await flushProxyAudit(world.backend.services);
      const rows = await world.backend.services.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.action, 'jira.proxy'));
      return rows.map((row) => `${row.detail.method} ${row.detail.path} ${row.detail.status}`);
    };
    const myselfCalls = (lines: string[]) => lines.filter((line) => line === 'GET rest/api/3/myself 200');
    const before = myselfCalls(await audited()).length;

    const response = await fetch(`${proxyBase()}/rest/api/3/myself`, {
      headers: { authorization: `Bearer ${world.backend.team.key}`, accept: 'application/json' },
    });
    expect(response.status).toBe(200);
    expect(myselfCalls(await audited())).toHaveLength(before + 1);
  });
});
