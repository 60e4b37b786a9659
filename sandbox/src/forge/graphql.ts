/**
 * The slice of Atlassian's GraphQL API a Forge remote uses: the `offlineUserAuthToken` mutation, which trades the
 * app system token for a token that acts as a user (impersonation). Queries are parsed pragmatically: inline
 * arguments or `$variables`, no general GraphQL engine.
 */
import type { Context } from 'hono';
import type { ForgePlatformContext } from '../contracts';
import type { AppTokens } from './app-tokens';
import { forgeMessages } from './messages';

/** Life of an offline user token, reported as `authToken.ttl` (seconds). */
export const impersonationTokenTtlSeconds = 3600;

interface ImpersonationInput {
  contextIds: string[];
  userId: string;
}

type Payload =
  | { success: true; errors: []; authToken: { token: string; ttl: number } }
  | { success: false; errors: Array<{ message: string }>; authToken: null };

export function createGraphqlHandler(ctx: ForgePlatformContext, appTokens: AppTokens) {
  return async (c: Context) => {
    const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const grant = bearer ? ctx.tokens.get(bearer) : undefined;
    if (grant?.kind !== 'system' || grant.expiresAt <= ctx.now()) {
      return c.json({ errors: [{ message: forgeMessages.graphqlUnauthorized }] }, 401);
    }
    const request: unknown = await c.req.json().catch(() => null);
    const query = isRecord(request) && typeof request.query === 'string' ? request.query : '';
    const variables = isRecord(request) && isRecord(request.variables) ? request.variables : {};
    const args = fieldArguments(query, 'offlineUserAuthToken');
    if (args === undefined) {
      return c.json({ errors: [{ message: forgeMessages.graphqlUnknownOperation }] }, 400);
    }
    const input = readInput(args, variables);
    if (!input) return c.json({ errors: [{ message: forgeMessages.impersonationBadInput }] }, 400);

    const refusal = (message: string) =>
      c.json({ data: { offlineUserAuthToken: { success: false, errors: [{ message }], authToken: null } } });
    const cloudIds: string[] = [];
    for (const contextId of input.contextIds) {
      const cloudId = /^ari:cloud:jira::site\/([^/]+)$/.exec(contextId)?.[1];
      if (!cloudId || !grant.cloudIds.includes(cloudId)) {
        return refusal(forgeMessages.impersonationUnknownContext(contextId));
      }
      cloudIds.push(cloudId);
    }
    const user = ctx.users().find((candidate) => candidate.accountId === input.userId);
    if (!user) return refusal(forgeMessages.impersonationUnknownUser(input.userId));
    if (!user.appAccess) return refusal(forgeMessages.impersonationNoAppAccess(input.userId));
    const missingSite = cloudIds.find((cloudId) => !user.siteIds.includes(cloudId));
    if (missingSite) return refusal(forgeMessages.impersonationNotOnSite(input.userId, missingSite));

    const token = await appTokens.impersonationToken(input.userId, cloudIds, impersonationTokenTtlSeconds);
    const payload: Payload = {
      success: true,
      errors: [],
      authToken: { token, ttl: impersonationTokenTtlSeconds },
    };
    return c.json({ data: { offlineUserAuthToken: payload } });
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The text between the parentheses after `field`, or undefined when the field is absent. */
function fieldArguments(query: string, field: string): string | undefined {
  const match = new RegExp(`\\b${field}\\s*\\(`).exec(query);
  if (!match) return undefined;
  let depth = 0;
  for (let index = match.index + match[0].length - 1; index < query.length; index++) {
    if (query[index] === '(') depth++;
    if (query[index] === ')' && --depth === 0) return query.slice(match.index + match[0].length, index);
  }
  return undefined;
}

/** Reads `input: $var` or `input: { contextIds: [...], userId: ... }`, where any value may be a `$variable`. */
function readInput(args: string, variables: Record<string, unknown>): ImpersonationInput | undefined {
  const variable = (name: string): unknown => variables[name];
  const wholeInput = /^\s*input\s*:\s*\$(\w+)\s*$/.exec(args);
  const raw: Record<string, unknown> = wholeInput
    ? (() => {
        const value = variable(wholeInput[1]);
        return isRecord(value) ? value : {};
      })()
    : {
        contextIds: inlineValue(/contextIds\s*:\s*(\$\w+|\[[^\]]*\])/.exec(args)?.[1], variable),
        userId: inlineValue(/userId\s*:\s*(\$\w+|"(?:[^"\\]|\\.)*")/.exec(args)?.[1], variable),
      };
  const { contextIds, userId } = raw;
  if (typeof userId !== 'string' || userId === '') return undefined;
  if (!Array.isArray(contextIds) || contextIds.length === 0) return undefined;
  if (!contextIds.every((id): id is string => typeof id === 'string')) return undefined;
  return { contextIds, userId };
}

function inlineValue(literal: string | undefined, variable: (name: string) => unknown): unknown {
  if (literal === undefined) return undefined;
  if (literal.startsWith('$')) return variable(literal.slice(1));
  if (literal.startsWith('[')) {
    return [...literal.matchAll(/\$(\w+)|"((?:[^"\\]|\\.)*)"/g)].map(([, name, text]) =>
      name ? variable(name) : JSON.parse(`"${text}"`),
    );
  }
  return JSON.parse(literal);
}
