/**
 * A sync worker in its own process, for the crash test: pushes the tickets named on the command line and, when
 * FREEZE_AT_CREATE=n, stops dead right after Jira answered its n-th issue create or JSM request (before the link
 * is committed; for a request, also before its ticket property), printing `created <n>` so the parent knows when
 * to kill it with SIGKILL.
 */
import { loadConfig } from '@jira-integration/backend/config';
import { Encryptor, parseKeyList } from '@jira-integration/backend/crypto/encryption';
import { openDatabase } from '@jira-integration/backend/db/client';
import { createLogger } from '@jira-integration/backend/logger';
import { createServices } from '@jira-integration/backend/server';
import { syncRuntime } from '@jira-integration/backend/sync/jira-client';
import { pushTicket } from '@jira-integration/backend/sync/outbound';

// PostgreSQL by URL, or the parent's file-backed PGlite folder (opened only after the parent closed it).
const database = await openDatabase({ url: process.env.DATABASE_URL, dataDir: process.env.DATA_DIR });
const services = await createServices({
  config: loadConfig({ ...process.env, LOG_LEVEL: 'silent' }),
  database,
  logger: createLogger({ level: 'silent' }),
  encryptor: new Encryptor(parseKeyList(process.env.ENCRYPTION_KEYS ?? '')),
});
const runtime = syncRuntime(services);
runtime.sleep = async () => {};
const freezeAt = Number(process.env.FREEZE_AT_CREATE ?? 0);
let created = 0;
runtime.afterCall = async (method, path, status) => {
  const creates = path === '/rest/api/3/issue' || path === '/rest/servicedeskapi/request';
  if (method !== 'POST' || !creates || status !== 201) return;
  created += 1;
  process.stdout.write(`created ${created}\n`);
  if (created === freezeAt) await new Promise(() => {});
};
for (const ticketId of process.argv.slice(2)) await pushTicket(services, ticketId);
process.stdout.write('done\n');
await services.queue.stop();
await database.close();
