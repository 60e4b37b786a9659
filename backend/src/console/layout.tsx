import type { Child } from 'hono/jsx';

export const CONSOLE_SECTIONS = [
  { path: '/console/connections', label: 'Connections' },
  { path: '/console/tickets', label: 'Tickets' },
  { path: '/console/workflows', label: 'Workflows' },
  { path: '/console/audit', label: 'Audit history' },
  { path: '/console/team', label: 'Team' },
  { path: '/console/keys', label: 'API keys' },
] as const;

/** The console's icon: a Jira-blue square with a link mark, drawn inline so nothing is fetched elsewhere. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#0c66e4"/><path d="M13 19l6-6M11.5 15.5l-2 2a3.5 3.5 0 0 0 5 5l2-2M20.5 16.5l2-2a3.5 3.5 0 0 0-5-5l-2 2" stroke="#fff" stroke-width="2.4" fill="none" stroke-linecap="round"/></svg>`;

export function Page(props: { title: string; productName: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · ${props.productName} Jira`}</title>
        <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
        <link rel="stylesheet" href="/console/assets/console.css" />
      </head>
      <body>{props.children}</body>
    </html>
  );
}

/** The signed-in frame: navigation on the left, the section on the right. */
export function ConsoleLayout(props: {
  title: string;
  productName: string;
  current: string;
  children: Child;
}) {
  return (
    <Page title={props.title} productName={props.productName}>
      <div class="shell">
        <aside class="sidebar">
          <div class="brand">
            {props.productName}
            <small>Jira Cloud integration</small>
          </div>
          <nav class="nav">
            {CONSOLE_SECTIONS.map((section) => (
              <a href={section.path} aria-current={section.path === props.current ? 'page' : undefined}>
                {section.label}
              </a>
            ))}
            <a href="/docs">API reference</a>
          </nav>
          <form method="post" action="/console/logout">
            <button class="btn secondary" type="submit">
              Sign out
            </button>
          </form>
        </aside>
        <main>{props.children}</main>
      </div>
    </Page>
  );
}
