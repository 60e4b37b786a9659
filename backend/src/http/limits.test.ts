import { limitMessages } from '@jira-integration/shared/security-messages';
import { describe, expect, it } from 'vitest';
import { jsonNestsDeeperThan, targetProblem } from './limits';

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
