import { limitMessages } from '@jira-integration/shared/security-messages';
import { describe, expect, it } from 'vitest';
import { jsonNestsDeeperThan, namesNothing, targetProblem } from './limits';

describe('request shape', () => {
  it('measures JSON nesting without parsing, ignoring brackets inside strings', () => {
    expect(jsonNestsDeeperThan('[[[]]]', 3)).toBe(false);
    expect(jsonNestsDeeperThan('[[[[]]]]', 3)).toBe(true);
    expect(jsonNestsDeeperThan('{"a":"[[[[[[","b":"\\"[[[["}', 1)).toBe(false);
    expect(jsonNestsDeeperThan(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, 64)).toBe(true);
  });

  it('refuses broken encoding, controls and lone surrogates in paths and queries', () => {
    expect(targetProblem('/v1/tickets/%ff', '', false)).toBe(limitMessages.invalidEncoding('path'));
    expect(targetProblem('/v1/tickets/%ed%a0%80', '', false)).toBe(limitMessages.invalidEncoding('path'));
    expect(targetProblem('/v1/tickets/a%00b', '', false)).toBe(limitMessages.controlCharacters('path'));
    expect(targetProblem('/v1/tickets', '?q=%ff', false)).toBe(limitMessages.invalidEncoding('q'));
    expect(targetProblem('/v1/tickets', '?q=a%0Ab', false)).toBe(limitMessages.controlCharacters('q'));
    expect(targetProblem('/v1/tickets', '?q=caf%C3%A9+au+lait&limit=5', false)).toBeUndefined();
  });

  it('lets the proxy pass line breaks in a query to Jira, never a NUL', () => {
    const proxy = '/v1/jira/connections/c/proxy/rest/api/3/search';
    expect(targetProblem(proxy, '?jql=a%0Aorder+by+key', true)).toBeUndefined();
    expect(targetProblem(proxy, '?jql=a%00', true)).toBe(limitMessages.controlCharacters('jql'));
  });
});

describe('ids of no possible shape', () => {
  it('a path segment outside what our routes and ids are made of names nothing', () => {
    expect(namesNothing('/v1/tickets/tkt_0123abcd', false)).toBe(false);
    expect(namesNothing('/v1/workflows/create-jira-issue/runs', false)).toBe(false);
    expect(namesNothing('/console/assets/console.css', false)).toBe(false);
    expect(namesNothing("/v1/tickets/'%20or%201=1--", false)).toBe(true);
    expect(namesNothing(`/v1/tickets/${'x'.repeat(129)}`, false)).toBe(true);
    // The proxy's Jira path is the proxy guard's to judge; the connection id is ours.
    expect(namesNothing('/v1/jira/connections/abc/proxy/rest/api/3/search?jql=a b', true)).toBe(false);
    expect(namesNothing('/v1/jira/connections/a%20b/proxy/rest/api/3/myself', true)).toBe(true);
  });
});
