import { describe, expect, it } from 'vitest';
import { DEFAULT_SEED } from '../../test-support/seed';
import { buildState, loadSeed } from '../state';
import { compileJql, JQL_MESSAGES, JqlError, parseJql } from './jql';

const state = buildState(loadSeed(undefined));
const now = Date.parse('2026-11-08T08:00:00Z');

function keys(jql: string, accountId = DEFAULT_SEED.alice, cloudId = DEFAULT_SEED.acme): string[] {
  const canBrowse = (projectId: string) =>
    accountId !== DEFAULT_SEED.bob || state.projects.get(projectId)?.key !== 'ENG';
  const compiled = compileJql(parseJql(jql), { state, cloudId, currentAccountId: accountId, now, canBrowse });
  return [...state.issues.values()]
    .filter((i) => i.cloudId === cloudId && compiled.matches(i))
    .sort(compiled.compare)
    .map((i) => i.key);
}

function error(jql: string): string {
  try {
    keys(jql);
  } catch (e) {
    if (e instanceof JqlError) return e.message;
    throw e;
  }
  throw new Error(`no error for ${jql}`);
}

describe('JQL subset', () => {
  it('filters by project, key and issue key lists', () => {
    expect(keys('project = ENG ORDER BY key ASC')).toEqual(['ENG-1', 'ENG-2', 'ENG-3']);
    expect(keys('project = eng and key = ENG-2')).toEqual(['ENG-2']);
    expect(keys('issuekey in (SUP-2, ENG-1) order by key')).toEqual(['ENG-1', 'SUP-2']);
    expect(keys('project != ENG order by key')).toEqual(['SUP-1', 'SUP-2']);
  });

  it('knows currentUser(), EMPTY, statuses, categories, priorities and types', () => {
    expect(keys('assignee = currentUser() order by key')).toEqual(['ENG-1', 'ENG-3']);
    expect(keys('assignee = currentUser()', DEFAULT_SEED.bob)).toEqual(['SUP-1']);
    expect(keys('assignee is EMPTY order by key')).toEqual(['ENG-2', 'SUP-2']);
    expect(keys('status = "In Progress" order by key')).toEqual(['ENG-1', 'SUP-1']);
    expect(keys('statusCategory != Done AND project = ENG order by key')).toEqual(['ENG-1', 'ENG-2']);
    expect(keys('priority in (Highest, High) order by priority desc')).toEqual(['ENG-1', 'SUP-1']);
    expect(keys('type = Bug')).toEqual(['ENG-1']);
    expect(keys('labels = regression')).toEqual(['ENG-1']);
    expect(keys('summary ~ "laptop onboarding"')).toEqual(['SUP-2']);
  });

  it('compares dates, absolute (UTC) and relative to now', () => {
    expect(keys('updated >= "2026-11-06 16:45" order by key')).toEqual(['ENG-1', 'ENG-2']);
    expect(keys('updated >= 2026/11/06 order by key')).toEqual(['ENG-1', 'ENG-2']);
    expect(keys('updated >= -1d')).toEqual(['ENG-2']);
    expect(keys('updated > -2d order by key')).toEqual(['ENG-1', 'ENG-2']);
    expect(keys('created >= "-4w 2d" and resolved is not empty')).toEqual(['ENG-3']);
    expect(keys('duedate <= "2026-11-30"', DEFAULT_SEED.alice, DEFAULT_SEED.globex)).toEqual(['OPS-1']);
  });

  it('combines with AND, OR, NOT and parentheses, and orders by several fields', () => {
    expect(keys('(project = SUP OR priority = Low) AND NOT status = "To Do" order by key')).toEqual([
      'SUP-1',
    ]);
    expect(keys('project in (ENG, SUP) order by status asc, key desc')).toEqual([
      'ENG-3',
      'SUP-1',
      'ENG-1',
      'SUP-2',
      'ENG-2',
    ]);
  });

  it('defaults to newest created first', () => {
    expect(keys('project = ENG')).toEqual(['ENG-2', 'ENG-1', 'ENG-3']);
  });

  it('treats projects and issues the caller cannot browse as nonexistent', () => {
    expect(() => keys('project = ENG', DEFAULT_SEED.bob)).toThrow(
      JQL_MESSAGES.unknownValue('ENG', 'project'),
    );
    expect(() => keys('key = ENG-1', DEFAULT_SEED.bob)).toThrow(JQL_MESSAGES.unknownIssueKey('ENG-1', 'key'));
  });

  it('words its errors as Jira does', () => {
    expect(error('ORDER BY key DESC')).toBe(JQL_MESSAGES.unbounded);
    expect(error('')).toBe(JQL_MESSAGES.unbounded);
    expect(error('foo = bar')).toBe(JQL_MESSAGES.unknownField('foo'));
    expect(error('project = NOPE')).toBe(JQL_MESSAGES.unknownValue('NOPE', 'project'));
    expect(error('status = Blocked')).toBe(JQL_MESSAGES.unknownValue('Blocked', 'status'));
    expect(error('key = ENG-99')).toBe(JQL_MESSAGES.unknownIssueKey('ENG-99', 'key'));
    expect(error('summary = x')).toBe(JQL_MESSAGES.unsupportedOperator('=', 'summary'));
    expect(error('assignee = someoneElse()')).toBe(JQL_MESSAGES.unknownFunction('someoneElse'));
    expect(error('updated > yesterday')).toBe(JQL_MESSAGES.invalidDate('yesterday', 'updated'));
    expect(error('project in (ENG')).toBe(
      "Error in the JQL Query: Expecting ',' or ')' before the end of the query.",
    );
    expect(error('project = ENG foo')).toBe(
      "Error in the JQL Query: Expecting either 'OR' or 'AND' but got 'foo'. (line 1, character 15)",
    );
    expect(error('project = "ENG')).toBe(
      'Error in the JQL Query: Expecting a closing quote (") before the end of the query.',
    );
    expect(error('project = ENG order by colour')).toBe(JQL_MESSAGES.unknownField('colour'));
  });
});

describe('JQL that sync and workflow authors write', () => {
  it('finds custom fields by cf[id], by id and by name', () => {
    expect(keys('cf[10050] = "MacBook Pro 14"')).toEqual(keys('customfield_10050 = "MacBook Pro 14"'));
    expect(keys('"Laptop model" is not EMPTY')).toEqual(keys('cf[10050] is not EMPTY'));
    expect(keys('cf[10050] is not EMPTY').length).toBeGreaterThan(0);
    expect(error('cf[99999] = x')).toBe(JQL_MESSAGES.unknownField('cf[99999]'));
  });

  it('knows components, fix versions, watchers and ORDER BY Rank', () => {
    expect(keys('component = Backend')).toEqual(['ENG-1']);
    expect(keys('fixVersion in ("1.1") AND component is not EMPTY')).toEqual(['ENG-1']);
    expect(keys('fixVersion is EMPTY AND project = ENG ORDER BY Rank ASC')).toEqual(['ENG-2', 'ENG-3']);
    expect(keys(`watcher = ${DEFAULT_SEED.carol} ORDER BY key`)).toEqual(['ENG-1', 'SUP-1']);
    expect(keys('project = ENG ORDER BY Rank')).toEqual(['ENG-1', 'ENG-2', 'ENG-3']);
  });

  it('answers status WAS and CHANGED from the status history', () => {
    const issue = [...state.issues.values()].find((i) => i.key === 'ENG-2');
    if (!issue) throw new Error('seed has no ENG-2');
    const saved = issue.statusHistory;
    issue.statusHistory = [
      ...saved,
      { statusId: '3', at: now - 60_000 },
      { statusId: saved[0].statusId, at: now },
    ];
    try {
      expect(keys('project = ENG AND status WAS "In Progress"')).toContain('ENG-2');
      expect(keys('project = ENG AND status CHANGED')).toEqual(['ENG-2']);
      expect(keys('status CHANGED FROM "To Do" TO "In Progress" AFTER "-5m"')).toEqual(['ENG-2']);
      expect(keys('status CHANGED AFTER "-1m"')).toEqual(['ENG-2']);
      expect(keys('status CHANGED BEFORE "-1h"')).toEqual([]);
    } finally {
      issue.statusHistory = saved;
    }
  });

  it('takes quoted relative dates and the date functions', () => {
    expect(keys('updated >= "-5m"')).toEqual([]);
    expect(keys('created >= startOfYear() ORDER BY key').length).toBe(5);
    expect(keys('created >= startOfMonth() AND created <= endOfMonth() ORDER BY key').length).toBe(4);
    expect(keys('created > endOfWeek()')).toEqual([]);
  });

  it('answers a query it cannot parse with Jira’s text', () => {
    expect(error('project = ENG AND')).toBe(
      'Error in the JQL Query: Expecting a field name before the end of the query.',
    );
    expect(error('project ENG')).toBe(
      "Error in the JQL Query: Expecting an operator but got 'ENG'. (line 1, character 9)",
    );
  });
});
