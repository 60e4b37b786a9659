import type { Child } from 'hono/jsx';

export const CONSOLE_SECTIONS = [
  { path: '/console/connections', label: 'Connections' },
  { path: '/console/tickets', label: 'Tickets' },
  { path: '/console/workflows', label: 'Workflows' },
  { path: '/console/keys', label: 'API keys' },
] as const;

export function Page(props: { title: string; productName: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · ${props.productName} Jira`}</title>
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
