/** Reads what the sandbox's Forge platform needs from manifest.yml: endpoints and the modules that use them. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { forgeMessages } from './messages';

export const defaultManifestPath = fileURLToPath(new URL('../../../manifest.yml', import.meta.url));

export interface ManifestEndpoint {
  key: string;
  remote: string;
  /** Absent for UI resolver endpoints: each invokeRemote call brings its own path. */
  path?: string;
  appSystemToken: boolean;
}

/** A module whose invocations go to an endpoint: a trigger, a scheduled trigger or a preUninstall. */
export interface EndpointModule {
  key: string;
  endpoint: ManifestEndpoint;
}

export interface EventTrigger extends EndpointModule {
  events: string[];
  ignoreSelf: boolean;
}

/** A UI module (issue panel, admin page...) whose resolver is a remote endpoint. */
export interface UiModule extends EndpointModule {
  type: string;
}

export interface ForgeManifest {
  appId: string;
  triggers: EventTrigger[];
  scheduledTriggers: EndpointModule[];
  preUninstall: EndpointModule[];
  uiModules: UiModule[];
  /** Every scope in permissions.scopes: what the app's system token holds. */
  scopes: string[];
  /** Scopes declared with allowImpersonation: what an offline user token holds. */
  impersonationScopes: string[];
}

type Yaml = Record<string, unknown>;

const isRecord = (value: unknown): value is Yaml =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const records = (value: unknown): Yaml[] => (Array.isArray(value) ? value.filter(isRecord) : []);

const tokenEnabled = (auth: unknown): boolean =>
  isRecord(auth) && isRecord(auth.appSystemToken) && auth.appSystemToken.enabled === true;

export function loadForgeManifest(path: string = defaultManifestPath): ForgeManifest {
  return parseForgeManifest(readFileSync(path, 'utf8'));
}

export function parseForgeManifest(text: string): ForgeManifest {
  const manifest: unknown = parse(text);
  if (!isRecord(manifest) || !isRecord(manifest.app) || typeof manifest.app.id !== 'string') {
    throw new Error(forgeMessages.manifestWithoutAppId);
  }
  const modules = isRecord(manifest.modules) ? manifest.modules : {};

  const endpoints = new Map<string, ManifestEndpoint>();
  for (const item of records(modules.endpoint)) {
    const route = isRecord(item.route) ? item.route : {};
    endpoints.set(String(item.key), {
      key: String(item.key),
      remote: String(item.remote),
      path: typeof route.path === 'string' ? route.path : undefined,
      appSystemToken: tokenEnabled(item.auth),
    });
  }
  const endpointNamed = (key: unknown): ManifestEndpoint | undefined =>
    typeof key === 'string' ? endpoints.get(key) : undefined;

  // Only modules that target a remote endpoint matter here; function-backed ones run inside Forge.
  const endpointModules = (items: unknown): EndpointModule[] =>
    records(items).flatMap((item) => {
      const endpoint = endpointNamed(item.endpoint);
      return endpoint ? [{ key: String(item.key), endpoint }] : [];
    });

  const triggers = records(modules.trigger).flatMap((item): EventTrigger[] => {
    const endpoint = endpointNamed(item.endpoint);
    if (!endpoint) return [];
    const events = Array.isArray(item.events)
      ? item.events.map((event) => (isRecord(event) ? String(event.eventType) : String(event)))
      : [];
    const ignoreSelf = isRecord(item.filter) && item.filter.ignoreSelf === true;
    return [{ key: String(item.key), endpoint, events, ignoreSelf }];
  });

  const uiModules = Object.entries(modules).flatMap(([type, items]): UiModule[] =>
    records(items).flatMap((item) => {
      const endpoint = isRecord(item.resolver) ? endpointNamed(item.resolver.endpoint) : undefined;
      return endpoint ? [{ type, key: String(item.key), endpoint }] : [];
    }),
  );

  const permissions = isRecord(manifest.permissions) ? manifest.permissions : {};
  const declared = permissions.scopes;
  const scopes = Array.isArray(declared)
    ? declared.map(String)
    : isRecord(declared)
      ? Object.keys(declared)
      : [];
  const impersonationScopes = isRecord(declared)
    ? Object.entries(declared)
        .filter(([, settings]) => isRecord(settings) && settings.allowImpersonation === true)
        .map(([scope]) => scope)
    : [];

  return {
    appId: manifest.app.id,
    triggers,
    scheduledTriggers: endpointModules(modules.scheduledTrigger),
    preUninstall: endpointModules(modules.preUninstall),
    uiModules,
    scopes,
    impersonationScopes,
  };
}
