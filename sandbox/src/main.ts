/** `npm run sandbox`: the Atlassian sandbox as a standalone process (SANDBOX_PORT, default 4010; SANDBOX_SEED). */
import { startSandbox } from './index';

const port = Number(process.env.SANDBOX_PORT ?? 4010);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`SANDBOX_PORT must be a port number, got "${process.env.SANDBOX_PORT}"`);
  process.exit(1);
}

const sandbox = await startSandbox({ port, seed: process.env.SANDBOX_SEED || undefined });
console.log(`Atlassian sandbox listening on ${sandbox.url}`);
console.log(`  admin page:   ${sandbox.url}/_sandbox`);
console.log(`  authorize:    ${sandbox.url}/authorize`);
console.log(`  Jira REST:    ${sandbox.url}/ex/jira/{cloudId}/rest/api/3/...`);
for (const site of sandbox.state.sites.values()) console.log(`  site ${site.name}: cloudId ${site.cloudId}`);
for (const client of sandbox.state.clients.values()) {
  console.log(
    `  OAuth client ${client.clientId} (${client.distribution}), callbacks: ${client.callbackUrls.join(', ')}`,
  );
}

let closing = false;
const shutdown = () => {
  if (closing) return;
  closing = true;
  sandbox.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
