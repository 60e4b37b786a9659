/**
 * The published OpenAPI document, organised for the reference page: every operation tagged by what it is
 * for, the team's routes first and the Forge app's internal endpoints last, the public URL as the server,
 * and the proxy's two opt-in headers as parameters (so /docs can send them).
 */
/** Tags in the order the reference lists them; the first whose prefix matches a path wins. */
const TAGS: Array<{ name: string; description: string; matches: (path: string) => boolean }> = [
  {
    name: 'Team',
    description: 'The calling team, its API keys and its audit history.',
    matches: (path) => path.startsWith('/v1/team') || path.startsWith('/v1/audit'),
  },
  {
    name: 'Jira proxy',
    description:
      "Any Jira Cloud REST call through a connection, with authentication injected; the site's budget.",
    matches: (path) => path.includes('/proxy/') || path.startsWith('/v1/jira/rate-limit'),
  },
  {
    name: 'Connections',
    description:
      'Connect Jira Cloud sites (Sign in with Jira or your own OAuth app), reconnect, health checks.',
    matches: (path) => path.startsWith('/v1/jira/'),
  },
  {
    name: 'Workflows',
    description: 'Prebuilt Jira workflows and their runs.',
    matches: (path) => path.startsWith('/v1/workflows'),
  },
  {
    name: 'Tickets',
    description: 'Ticket syncing between the platform and Jira.',
    matches: (path) => path.startsWith('/v1/tickets') || path.startsWith('/v1/sync'),
  },
  {
    name: 'Other',
    description: 'Everything else the API offers.',
    matches: (path) => path.startsWith('/v1/'),
  },
  {
    name: 'Forge app (internal)',
    description: 'Called by the Forge app only, with its invocation tokens; not for API clients.',
    matches: () => true,
  },
];

const PROXY_HEADERS = [
  {
    name: 'X-Use-Connect-Auth',
    in: 'header',
    required: false,
    description:
      'true: call as the Forge app service account (Sign in with Jira connections upgraded by the Forge app). Harmless elsewhere.',
    schema: { type: 'string', enum: ['true', 'false'] },
  },
  {
    name: 'X-As-Jira-User',
    in: 'header',
    required: false,
    description: 'With X-Use-Connect-Auth: true, impersonate this Jira account id.',
    schema: { type: 'string' },
  },
];

type Operation = {
  tags?: string[];
  parameters?: Array<{ name: string; in: string }>;
  operationId?: string;
  security?: unknown[];
};

/**
 * The name client generators give an operation's method, from its method and path: `GET /v1/tickets/{id}` is
 * `getV1TicketsById`, `POST /v1/tickets/{id}/comments` is `postV1TicketsByIdComments`. Unique because method and
 * path are.
 */
export function operationIdOf(method: string, path: string): string {
  const words = path
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      const parameter = /^\{(.+)\}$/.exec(segment)?.[1];
      return parameter ? `by-${parameter}` : segment;
    })
    .join('-')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return [method.toLowerCase(), ...words.map((word) => word[0].toUpperCase() + word.slice(1))].join('');
}
type Document = {
  paths?: Record<string, Record<string, Operation>>;
  tags?: Array<{ name: string; description?: string }>;
  servers?: Array<{ url: string; description?: string }>;
};

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

export function organizeDocument<T extends object>(published: T, publicUrl: string): T {
  const document = published as Document;
  const tagIndex = (path: string) => TAGS.findIndex((tag) => tag.matches(path));
  const entries = Object.entries(document.paths ?? {}).map(([path, item], order) => ({ path, item, order }));
  entries.sort((a, b) => tagIndex(a.path) - tagIndex(b.path) || a.order - b.order);
  const paths: Record<string, Record<string, Operation>> = {};
  for (const { path, item } of entries) {
    const tag = TAGS[tagIndex(path)].name;
    for (const [method, operation] of Object.entries(item)) {
      if (!HTTP_METHODS.has(method)) continue;
      operation.tags = [tag];
      operation.operationId ??= operationIdOf(method, path);
      // Operations that need no credentials say so (an empty requirement) rather than leaving it unsaid.
      operation.security ??= [];
      if (path.includes('/proxy/')) {
        const names = new Set((operation.parameters ?? []).map((p) => `${p.in}:${p.name.toLowerCase()}`));
        const missing = PROXY_HEADERS.filter((header) => !names.has(`header:${header.name.toLowerCase()}`));
        operation.parameters = [...(operation.parameters ?? []), ...missing];
      }
    }
    paths[path] = item;
  }
  const used = new Set(entries.map((entry) => TAGS[tagIndex(entry.path)].name));
  return {
    ...published,
    servers: [{ url: publicUrl }],
    tags: TAGS.filter((tag) => used.has(tag.name)).map(({ name, description }) => ({ name, description })),
    paths,
  } as T;
}
