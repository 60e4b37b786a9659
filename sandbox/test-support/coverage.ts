/**
 * How much of Atlassian's specs the sandbox serves: one minimal request per operation (path parameters filled
 * with seeded values, a token holding the operation's scopes), served = anything but 501.
 * `npm run sandbox:coverage` prints it; test/contract checks it.
 */
import { SPEC_OPERATIONS } from '../src/api/route-scopes';
import type { SpecName } from '../src/api/spec-index';
import type { Sandbox } from '../src/index';
import { DEFAULT_SEED } from './seed';

/** Seeded values for path parameters, by name (anything else gets `1`). */
const SAMPLE_PARAMS: Record<string, string> = {
  issueIdOrKey: 'ENG-1',
  requestIdOrKey: 'SUP-1',
  projectIdOrKey: 'ENG',
  projectId: '10001',
  projectKeyOrId: 'ENG',
  serviceDeskId: DEFAULT_SEED.serviceDeskId,
  requestTypeId: '10',
  propertyKey: 'com.example.key',
  accountId: DEFAULT_SEED.alice,
  issueTypeId: '10001',
  idOrName: 'Done',
};

/** JSM paths take a request (an issue raised through a request type). */
const JSM_SAMPLE_PARAMS: Record<string, string> = { issueIdOrKey: 'SUP-1' };

export function samplePath(template: string): string {
  const jsm = template.startsWith('/rest/servicedeskapi/');
  return template.replace(
    /\{(\w+)\}/g,
    (_, name: string) => (jsm ? JSM_SAMPLE_PARAMS[name] : undefined) ?? SAMPLE_PARAMS[name] ?? '1',
  );
}

export interface CoverageReport {
  spec: SpecName;
  total: number;
  served: string[];
  unserved: string[];
}

export async function measureCoverage(sandbox: Sandbox): Promise<CoverageReport[]> {
  const reports = new Map<SpecName, CoverageReport>([
    ['platform', { spec: 'platform', total: 0, served: [], unserved: [] }],
    ['jsm', { spec: 'jsm', total: 0, served: [], unserved: [] }],
  ]);
  for (const [key, operation] of SPEC_OPERATIONS) {
    const token = sandbox.issueUserToken({
      clientId: DEFAULT_SEED.managedClient.clientId,
      accountId: DEFAULT_SEED.alice,
      cloudIds: [DEFAULT_SEED.acme],
      scopes: [...operation.classic, ...operation.granular],
    });
    const response = await fetch(`${sandbox.url}/ex/jira/${DEFAULT_SEED.acme}${samplePath(operation.path)}`, {
      method: operation.method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: operation.method === 'GET' || operation.method === 'DELETE' ? undefined : '{}',
      redirect: 'manual',
    });
    await response.arrayBuffer();
    const report = reports.get(operation.spec) as CoverageReport;
    report.total++;
    (response.status === 501 ? report.unserved : report.served).push(key);
    sandbox.reset();
  }
  return [...reports.values()];
}
