/**
 * A practical JQL subset: clauses on project, key/issuekey/id, assignee/reporter/creator, status, statusCategory,
 * priority, issuetype, labels, text (~), created/updated/duedate/resolved with absolute or relative dates,
 * combined with AND / OR / NOT and parentheses, plus ORDER BY. Errors use Jira's wording.
 */
import { adfToText } from '../adf';
import type { IssueRecord, SandboxState } from '../state';

export class JqlError extends Error {}

type Operator =
  | '='
  | '!='
  | '>'
  | '>='
  | '<'
  | '<='
  | '~'
  | '!~'
  | 'in'
  | 'not in'
  | 'is'
  | 'is not'
  | 'was'
  | 'was not'
  | 'was in'
  | 'was not in'
  | 'changed';

/** History predicates of WAS and CHANGED: `FROM x`, `TO x`, `BY user`, `AFTER date`, `BEFORE date`, `ON date`. */
type HistoryPredicate = { kind: 'from' | 'to' | 'by' | 'after' | 'before' | 'on'; operand: Operand };

type Operand =
  | { kind: 'value'; text: string }
  | { kind: 'function'; name: string; args: string[] }
  | { kind: 'empty' }
  | { kind: 'list'; items: Operand[] };

type Clause =
  | { kind: 'and' | 'or'; clauses: Clause[] }
  | { kind: 'not'; clause: Clause }
  | { kind: 'term'; field: string; operator: Operator; operand: Operand; predicates?: HistoryPredicate[] };

export interface JqlQuery {
  where: Clause | null;
  orderBy: Array<{ field: string; direction: 'asc' | 'desc' }>;
}

interface Token {
  type: 'string' | 'word' | 'op' | '(' | ')' | ',' | 'eof';
  text: string;
  pos: number;
}

export const JQL_MESSAGES = {
  unbounded: 'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.',
  unknownField: (field: string) =>
    `Field '${field}' does not exist or you do not have permission to view it.`,
  unknownValue: (value: string, field: string) =>
    `The value '${value}' does not exist for the field '${field}'.`,
  unknownIssueKey: (key: string, field: string) =>
    `An issue with key '${key}' does not exist for field '${field}'.`,
  unsupportedOperator: (operator: string, field: string) =>
    `The operator '${operator}' is not supported by the '${field}' field.`,
  unknownFunction: (name: string) => `Unable to find JQL function '${name}()'.`,
  invalidDate: (value: string, field: string) =>
    `Date value '${value}' for field '${field}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.`,
  syntax: (expected: string, got: Token) =>
    got.type === 'eof'
      ? `Error in the JQL Query: Expecting ${expected} before the end of the query.`
      : `Error in the JQL Query: Expecting ${expected} but got '${got.text}'. (line 1, character ${got.pos + 1})`,
} as const;

const OPERATOR = /^(!=|>=|<=|!~|=|>|<|~)/;
const WORD = /^[^\s=!<>~(),"']+/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < text.length) {
    const rest = text.slice(pos);
    const space = rest.match(/^\s+/);
    if (space) {
      pos += space[0].length;
      continue;
    }
    const ch = rest[0];
    if (ch === '"' || ch === "'") {
      let value = '';
      let i = 1;
      while (i < rest.length && rest[i] !== ch) {
        if (rest[i] === '\\' && i + 1 < rest.length) i++;
        value += rest[i];
        i++;
      }
      if (i >= rest.length) throw new JqlError(JQL_MESSAGES.syntax(`a closing quote (${ch})`, eof(text)));
      tokens.push({ type: 'string', text: value, pos });
      pos += i + 1;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ type: ch, text: ch, pos });
      pos++;
      continue;
    }
    const op = rest.match(OPERATOR);
    if (op) {
      tokens.push({ type: 'op', text: op[0], pos });
      pos += op[0].length;
      continue;
    }
    const word = rest.match(WORD);
    if (!word) throw new JqlError(JQL_MESSAGES.syntax('a value', { type: 'word', text: ch, pos }));
    tokens.push({ type: 'word', text: word[0], pos });
    pos += word[0].length;
  }
  tokens.push(eof(text));
  return tokens;
}

function eof(text: string): Token {
  return { type: 'eof', text: '<EOF>', pos: text.length };
}

class Parser {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.index];
  }
  private next(): Token {
    return this.tokens[this.index++];
  }
  private isWord(word: string, token = this.peek()): boolean {
    return token.type === 'word' && token.text.toLowerCase() === word;
  }

  parse(): JqlQuery {
    const where = this.isWord('order') || this.peek().type === 'eof' ? null : this.parseOr();
    const orderBy: JqlQuery['orderBy'] = [];
    if (this.isWord('order')) {
      this.next();
      if (!this.isWord('by')) throw new JqlError(JQL_MESSAGES.syntax("'by'", this.peek()));
      this.next();
      do {
        if (orderBy.length > 0) this.next();
        const field = this.next();
        if (field.type !== 'word' && field.type !== 'string') {
          throw new JqlError(JQL_MESSAGES.syntax('a field name', field));
        }
        let direction: 'asc' | 'desc' = 'asc';
        if (this.isWord('asc') || this.isWord('desc'))
          direction = this.next().text.toLowerCase() as 'asc' | 'desc';
        orderBy.push({ field: field.text, direction });
      } while (this.peek().type === ',');
    }
    if (this.peek().type !== 'eof')
      throw new JqlError(JQL_MESSAGES.syntax("either 'OR' or 'AND'", this.peek()));
    return { where, orderBy };
  }

  private parseOr(): Clause {
    const clauses = [this.parseAnd()];
    while (this.isWord('or')) {
      this.next();
      clauses.push(this.parseAnd());
    }
    return clauses.length === 1 ? clauses[0] : { kind: 'or', clauses };
  }

  private parseAnd(): Clause {
    const clauses = [this.parseNot()];
    while (this.isWord('and')) {
      this.next();
      clauses.push(this.parseNot());
    }
    return clauses.length === 1 ? clauses[0] : { kind: 'and', clauses };
  }

  private parseNot(): Clause {
    if (this.isWord('not')) {
      this.next();
      return { kind: 'not', clause: this.parseNot() };
    }
    if (this.peek().type === '(') {
      this.next();
      const clause = this.parseOr();
      if (this.peek().type !== ')') throw new JqlError(JQL_MESSAGES.syntax("')'", this.peek()));
      this.next();
      return clause;
    }
    return this.parseTerm();
  }

  private parseTerm(): Clause {
    const field = this.next();
    if (field.type !== 'word' && field.type !== 'string')
      throw new JqlError(JQL_MESSAGES.syntax('a field name', field));
    const operator = this.parseOperator();
    let operand: Operand;
    if (operator === 'changed') {
      return {
        kind: 'term',
        field: field.text,
        operator,
        operand: { kind: 'empty' },
        predicates: this.parsePredicates(),
      };
    }
    if (operator === 'in' || operator === 'not in' || operator === 'was in' || operator === 'was not in') {
      if (this.peek().type !== '(') throw new JqlError(JQL_MESSAGES.syntax("'('", this.peek()));
      this.next();
      const items: Operand[] = [];
      while (this.peek().type !== ')') {
        if (items.length > 0) {
          if (this.peek().type !== ',') throw new JqlError(JQL_MESSAGES.syntax("',' or ')'", this.peek()));
          this.next();
        }
        items.push(this.parseOperand());
      }
      this.next();
      operand = { kind: 'list', items };
    } else {
      operand = this.parseOperand();
    }
    if (operator.startsWith('was'))
      return { kind: 'term', field: field.text, operator, operand, predicates: this.parsePredicates() };
    return { kind: 'term', field: field.text, operator, operand };
  }

  private parsePredicates(): HistoryPredicate[] {
    const predicates: HistoryPredicate[] = [];
    for (;;) {
      const word = ['from', 'to', 'by', 'after', 'before', 'on'].find((w) => this.isWord(w));
      if (!word) return predicates;
      this.next();
      predicates.push({ kind: word as HistoryPredicate['kind'], operand: this.parseOperand() });
    }
  }

  private parseOperator(): Operator {
    const token = this.next();
    if (token.type === 'op') return token.text as Operator;
    if (this.isWord('in', token)) return 'in';
    if (this.isWord('is', token)) {
      if (this.isWord('not')) {
        this.next();
        return 'is not';
      }
      return 'is';
    }
    if (this.isWord('not', token) && this.isWord('in')) {
      this.next();
      return 'not in';
    }
    if (this.isWord('changed', token)) return 'changed';
    if (this.isWord('was', token)) {
      const not = this.isWord('not');
      if (not) this.next();
      if (this.isWord('in')) {
        this.next();
        return not ? 'was not in' : 'was in';
      }
      return not ? 'was not' : 'was';
    }
    throw new JqlError(JQL_MESSAGES.syntax('an operator', token));
  }

  private parseOperand(): Operand {
    const token = this.next();
    if (token.type === 'string') return { kind: 'value', text: token.text };
    if (token.type !== 'word')
      throw new JqlError(JQL_MESSAGES.syntax('either a value, list or function', token));
    if (this.isWord('empty', token) || this.isWord('null', token)) return { kind: 'empty' };
    if (this.peek().type !== '(') return { kind: 'value', text: token.text };
    this.next();
    const args: string[] = [];
    while (this.peek().type !== ')') {
      if (args.length > 0) {
        if (this.peek().type !== ',') throw new JqlError(JQL_MESSAGES.syntax("',' or ')'", this.peek()));
        this.next();
      }
      const arg = this.next();
      if (arg.type !== 'word' && arg.type !== 'string') throw new JqlError(JQL_MESSAGES.syntax("')'", arg));
      args.push(arg.text);
    }
    this.next();
    return { kind: 'function', name: token.text, args };
  }
}

export function parseJql(text: string): JqlQuery {
  return new Parser(tokenize(text)).parse();
}

export interface JqlContext {
  state: SandboxState;
  cloudId: string;
  currentAccountId: string;
  now: number;
  /** Projects the caller can browse; others do not exist as JQL values, as in Jira. */
  canBrowse: (projectId: string) => boolean;
}

type Predicate = (issue: IssueRecord) => boolean;
type FieldKind = 'id' | 'text' | 'date' | 'labels' | 'multi';

interface FieldSpec {
  name: string;
  kind: FieldKind;
  nullable: boolean;
  /** id-kind fields: the issue's value, and the canonical id for a JQL value (undefined = unknown value). */
  get?: (issue: IssueRecord, ctx: JqlContext) => string | null;
  resolve?: (value: string, ctx: JqlContext) => string | undefined;
  text?: (issue: IssueRecord) => string;
  date?: (issue: IssueRecord) => number | null;
  /** multi-kind fields (components, versions, watchers): every value the issue holds. */
  all?: (issue: IssueRecord) => readonly string[];
  /** The changelog's field id, for WAS and CHANGED (defaults to `name`). */
  historyField?: string;
}

const lower = (s: string) => s.toLowerCase();

function userResolver(value: string, ctx: JqlContext): string | undefined {
  for (const user of ctx.state.users.values()) {
    if (user.accountId === value || (user.email && lower(user.email) === lower(value))) return user.accountId;
  }
  return undefined;
}

const FIELDS: Record<string, FieldSpec> = {};
const define = (aliases: string[], spec: FieldSpec) => {
  for (const alias of aliases) FIELDS[alias] = spec;
};
define(['project'], {
  name: 'project',
  kind: 'id',
  nullable: false,
  get: (i) => i.projectId,
  resolve: (v, ctx) =>
    [...ctx.state.projects.values()].find(
      (p) =>
        p.cloudId === ctx.cloudId &&
        ctx.canBrowse(p.id) &&
        (lower(p.key) === lower(v) || p.id === v || lower(p.name) === lower(v)),
    )?.id,
});
define(['key', 'issuekey', 'id', 'issue'], {
  name: 'key',
  kind: 'id',
  nullable: false,
  get: (i) => i.id,
  resolve: (v, ctx) => {
    const id = ctx.state.issueKeys.get(v.toUpperCase()) ?? v;
    const issue = ctx.state.issues.get(id);
    return issue && issue.cloudId === ctx.cloudId && ctx.canBrowse(issue.projectId) ? issue.id : undefined;
  },
});
for (const role of ['assignee', 'reporter', 'creator'] as const) {
  define([role], {
    name: role,
    kind: 'id',
    nullable: role === 'assignee',
    get: (i) => (role === 'assignee' ? i.assigneeId : role === 'reporter' ? i.reporterId : i.creatorId),
    resolve: userResolver,
  });
}
define(['status'], {
  name: 'status',
  kind: 'id',
  nullable: false,
  get: (i) => i.statusId,
  resolve: (v, ctx) =>
    [...ctx.state.statuses.values()].find((s) => s.id === v || lower(s.name) === lower(v))?.id,
});
define(['statuscategory'], {
  name: 'statusCategory',
  kind: 'id',
  nullable: false,
  get: (i, ctx) => ctx.state.statuses.get(i.statusId)?.category ?? null,
  resolve: (v) => {
    const categories: Record<string, string> = {
      new: 'new',
      'to do': 'new',
      '2': 'new',
      indeterminate: 'indeterminate',
      'in progress': 'indeterminate',
      '4': 'indeterminate',
      done: 'done',
      '3': 'done',
    };
    return categories[lower(v)];
  },
});
define(['priority'], {
  name: 'priority',
  kind: 'id',
  nullable: false,
  get: (i) => i.priorityId,
  resolve: (v, ctx) =>
    [...ctx.state.priorities.values()].find((p) => p.id === v || lower(p.name) === lower(v))?.id,
});
define(['issuetype', 'type'], {
  name: 'issuetype',
  kind: 'id',
  nullable: false,
  get: (i) => i.issueTypeId,
  resolve: (v, ctx) =>
    [...ctx.state.issueTypes.values()].find((t) => t.id === v || lower(t.name) === lower(v))?.id,
});
define(['labels'], { name: 'labels', kind: 'labels', nullable: true });
define(['summary'], { name: 'summary', kind: 'text', nullable: false, text: (i) => i.summary });
define(['description'], {
  name: 'description',
  kind: 'text',
  nullable: true,
  text: (i) => adfToText(i.description),
});
define(['text'], {
  name: 'text',
  kind: 'text',
  nullable: false,
  text: (i) => `${i.summary}\n${adfToText(i.description)}`,
});
define(['created', 'createddate'], {
  name: 'created',
  kind: 'date',
  nullable: false,
  date: (i) => i.created,
});
define(['updated', 'updateddate'], {
  name: 'updated',
  kind: 'date',
  nullable: false,
  date: (i) => i.updated,
});
define(['resolved', 'resolutiondate'], {
  name: 'resolved',
  kind: 'date',
  nullable: true,
  date: (i) => i.resolutionDate,
});
define(['duedate', 'due'], {
  name: 'duedate',
  kind: 'date',
  nullable: true,
  date: (i) => (i.duedate ? Date.parse(`${i.duedate}T00:00:00Z`) : null),
});

define(['component'], {
  name: 'component',
  kind: 'multi',
  nullable: true,
  historyField: 'components',
  all: (i) => i.componentIds,
  resolve: (v, ctx) =>
    [...ctx.state.components.values()].find((c) => c.id === v || lower(c.name) === lower(v))?.id,
});
for (const [alias, field] of [
  ['fixversion', 'fixVersionIds'],
  ['affectedversion', 'versionIds'],
] as const) {
  define([alias], {
    name: alias === 'fixversion' ? 'fixVersion' : 'affectedVersion',
    kind: 'multi',
    nullable: true,
    historyField: alias === 'fixversion' ? 'fixVersions' : 'versions',
    all: (i) => i[field],
    resolve: (v, ctx) =>
      [...ctx.state.versions.values()].find((x) => x.id === v || lower(x.name) === lower(v))?.id,
  });
}
define(['watcher'], {
  name: 'watcher',
  kind: 'multi',
  nullable: true,
  all: (i) => i.watcherIds,
  resolve: userResolver,
});
define(['parent'], {
  name: 'parent',
  kind: 'id',
  nullable: true,
  get: (i) => i.parentId,
  resolve: (v, ctx) => {
    const id = ctx.state.issueKeys.get(v.toUpperCase()) ?? v;
    return ctx.state.issues.has(id) ? id : undefined;
  },
});
define(['environment'], {
  name: 'environment',
  kind: 'text',
  nullable: true,
  text: (i) => adfToText(i.environment),
});

/** Custom fields by `cf[10050]`, `customfield_10050` or their name (case-insensitive). */
function customFieldSpec(name: string, ctx: JqlContext): FieldSpec | undefined {
  const numeric = /^cf\[(\d+)\]$/i.exec(name)?.[1];
  const field = [...ctx.state.customFields.values()].find(
    (f) => f.id === `customfield_${numeric}` || f.id === name || lower(f.name) === lower(name),
  );
  if (!field) return undefined;
  const value = (i: IssueRecord) => i.customFields[field.id];
  if (field.type === 'select' || field.type === 'radio') {
    return {
      name: field.name,
      kind: 'id',
      nullable: true,
      historyField: field.id,
      get: (i) => (value(i) as { id?: string } | undefined)?.id ?? null,
      resolve: (v) => field.options?.find((o) => o.id === v || lower(o.value) === lower(v))?.id,
    };
  }
  if (field.type === 'date') {
    return {
      name: field.name,
      kind: 'date',
      nullable: true,
      date: (i) => (typeof value(i) === 'string' ? Date.parse(`${value(i)}T00:00:00Z`) : null),
    };
  }
  return { name: field.name, kind: 'text', nullable: true, text: (i) => String(value(i) ?? '') };
}

function fieldSpec(name: string, ctx: JqlContext): FieldSpec | undefined {
  return FIELDS[lower(name)] ?? customFieldSpec(name, ctx);
}

const HISTORY: readonly Operator[] = ['was', 'was not', 'was in', 'was not in', 'changed'];
const OPERATORS: Record<FieldKind, readonly Operator[]> = {
  id: ['=', '!=', 'in', 'not in', 'is', 'is not', ...HISTORY],
  labels: ['=', '!=', 'in', 'not in', 'is', 'is not'],
  multi: ['=', '!=', 'in', 'not in', 'is', 'is not', ...HISTORY],
  text: ['~', '!~', 'is', 'is not'],
  date: ['=', '!=', '>', '>=', '<', '<=', 'in', 'not in', 'is', 'is not'],
};

const UNIT_MS: Record<string, number> = { w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000 };

/** Absolute (`yyyy-MM-dd[ HH:mm]`, `/` also allowed, UTC) or relative (`-15m`, `4w 2d`) dates. */
function parseDate(value: string, now: number): number | undefined {
  const absolute = value.trim().match(/^(\d{4})[-/](\d{2})[-/](\d{2})(?:\s+(\d{1,2}):(\d{2}))?$/);
  if (absolute) {
    const [, y, mo, d, h = '0', mi = '0'] = absolute;
    return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi));
  }
  const relative = value.trim().match(/^([-+]?)\s*((?:\d+\s*[wdhm]\s*)+)$/);
  if (relative) {
    let ms = 0;
    for (const part of relative[2].matchAll(/(\d+)\s*([wdhm])/g)) ms += Number(part[1]) * UNIT_MS[part[2]];
    return relative[1] === '-' ? now - ms : now + ms;
  }
  return undefined;
}

function startOfDay(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

/** Jira's date functions (UTC; weeks start on Sunday, as Jira's default locale has it), with an offset. */
const DATE_FUNCTIONS: Record<string, (now: number, offset: number) => number> = {
  startofday: (now, offset) => startOfDay(now + offset),
  endofday: (now, offset) => startOfDay(now + offset) + 86_400_000 - 1,
  startofweek: (now, offset) => startOfDay(now - new Date(now).getUTCDay() * 86_400_000) + offset,
  endofweek: (now, offset) => startOfDay(now + (7 - new Date(now).getUTCDay()) * 86_400_000) - 1 + offset,
  startofmonth: (now, offset) => {
    const d = new Date(now);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) + offset;
  },
  endofmonth: (now, offset) => {
    const d = new Date(now);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - 1 + offset;
  },
  startofyear: (now, offset) => Date.UTC(new Date(now).getUTCFullYear(), 0, 1) + offset,
  endofyear: (now, offset) => Date.UTC(new Date(now).getUTCFullYear() + 1, 0, 1) - 1 + offset,
};

/** The single values an operand stands for; functions are evaluated here. */
function operandValues(operand: Operand, spec: FieldSpec, ctx: JqlContext): Array<string | number | null> {
  if (operand.kind === 'list') return operand.items.flatMap((item) => operandValues(item, spec, ctx));
  if (operand.kind === 'empty') return [null];
  if (operand.kind === 'function') {
    const name = lower(operand.name);
    const offset = operand.args[0] ? (parseDate(operand.args[0], 0) ?? 0) : 0;
    if (name === 'currentuser') return [ctx.currentAccountId];
    if (name === 'now') return [ctx.now];
    const boundary = DATE_FUNCTIONS[name];
    if (boundary) return [boundary(ctx.now, offset)];
    throw new JqlError(JQL_MESSAGES.unknownFunction(operand.name));
  }
  if (spec.kind === 'date') {
    const ms = parseDate(operand.text, ctx.now);
    if (ms === undefined) throw new JqlError(JQL_MESSAGES.invalidDate(operand.text, spec.name));
    return [ms];
  }
  if ((spec.kind === 'id' || spec.kind === 'multi') && spec.resolve) {
    const id = spec.resolve(operand.text, ctx);
    if (id === undefined) {
      throw new JqlError(
        spec.name === 'key'
          ? JQL_MESSAGES.unknownIssueKey(operand.text, spec.name)
          : JQL_MESSAGES.unknownValue(operand.text, spec.name),
      );
    }
    return [id];
  }
  return [operand.text];
}

function compileTerm(term: Extract<Clause, { kind: 'term' }>, ctx: JqlContext): Predicate {
  const spec = fieldSpec(term.field, ctx);
  if (!spec) throw new JqlError(JQL_MESSAGES.unknownField(term.field));
  if (!OPERATORS[spec.kind].includes(term.operator)) {
    throw new JqlError(JQL_MESSAGES.unsupportedOperator(term.operator, term.field));
  }
  const { operator } = term;
  if (HISTORY.includes(operator)) return compileHistory(term, spec, ctx);
  const negated = operator === '!=' || operator === 'not in' || operator === 'is not' || operator === '!~';
  const values = operandValues(term.operand, spec, ctx);
  if (spec.kind === 'multi') {
    const read = spec.all ?? (() => []);
    return (i) => {
      const held = read(i);
      const hit = values.some((v) => (v === null ? held.length === 0 : held.includes(String(v))));
      return hit !== negated;
    };
  }

  if (spec.kind === 'text') {
    const words = String(values[0] ?? '')
      .toLowerCase()
      .replace(/[*?]/g, '')
      .split(/\s+/)
      .filter((w) => w.length > 0);
    const read = spec.text ?? (() => '');
    if (operator === 'is' || operator === 'is not') return (i) => (read(i).length === 0) !== negated;
    return (i) => {
      const text = read(i).toLowerCase();
      return words.every((w) => text.includes(w)) !== negated;
    };
  }
  if (spec.kind === 'labels') {
    return (i) => {
      const hit = values.some((v) => (v === null ? i.labels.length === 0 : i.labels.includes(String(v))));
      return hit !== negated;
    };
  }
  if (spec.kind === 'date') {
    const read = spec.date ?? (() => null);
    const target = values[0];
    return (i) => {
      const at = read(i);
      if (operator === 'is' || operator === 'is not') return (at === null) !== negated;
      if (operator === 'in' || operator === 'not in') return values.includes(at) !== negated;
      if (at === null || typeof target !== 'number') return false;
      switch (operator) {
        case '=':
          return at === target;
        case '!=':
          return at !== target;
        case '>':
          return at > target;
        case '>=':
          return at >= target;
        case '<':
          return at < target;
        default:
          return at <= target;
      }
    };
  }
  const read = spec.get ?? (() => null);
  return (i) => values.includes(read(i, ctx)) !== negated;
}

/** Every value a field held over time: the current one plus each side of its changelog entries. */
function heldValues(issue: IssueRecord, spec: FieldSpec, ctx: JqlContext): Array<string | null> {
  if (spec.name === 'status') return issue.statusHistory.map((h) => h.statusId);
  const current = spec.all ? [...spec.all(issue)] : [spec.get?.(issue, ctx) ?? null];
  const field = spec.historyField ?? spec.name;
  const past = issue.histories.flatMap((h) =>
    h.items.filter((item) => item.fieldId === field).flatMap((item) => [item.from, item.to]),
  );
  return [...current, ...past.flatMap((v) => (v === null || v === undefined ? [null] : v.split(',')))];
}

/** Changes of a field as `{from, to, by, at}`, oldest first. */
function changesOf(issue: IssueRecord, spec: FieldSpec) {
  if (spec.name === 'status') {
    return issue.statusHistory.slice(1).map((h, index) => ({
      from: issue.statusHistory[index].statusId,
      to: h.statusId,
      by: null as string | null,
      at: h.at,
    }));
  }
  const field = spec.historyField ?? spec.name;
  return issue.histories.flatMap((h) =>
    h.items
      .filter((item) => item.fieldId === field)
      .map((item) => ({
        from: item.from ?? null,
        to: item.to ?? null,
        by: h.authorId as string | null,
        at: h.created,
      })),
  );
}

function compileHistory(
  term: Extract<Clause, { kind: 'term' }>,
  spec: FieldSpec,
  ctx: JqlContext,
): Predicate {
  const { operator } = term;
  const predicates = (term.predicates ?? []).map((p) => {
    const values =
      p.kind === 'by'
        ? operandValues(p.operand, { ...FIELDS.assignee }, ctx)
        : p.kind === 'from' || p.kind === 'to'
          ? operandValues(p.operand, spec, ctx)
          : operandValues(p.operand, { name: term.field, kind: 'date', nullable: false }, ctx);
    return { kind: p.kind, values };
  });
  const inWindow = (at: number) =>
    predicates.every((p) => {
      const bound = p.values[0];
      if (typeof bound !== 'number') return true;
      if (p.kind === 'after') return at > bound;
      if (p.kind === 'before') return at < bound;
      if (p.kind === 'on') return startOfDay(at) === startOfDay(bound);
      return true;
    });
  if (operator === 'changed') {
    return (i) =>
      changesOf(i, spec).some(
        (change) =>
          inWindow(change.at) &&
          predicates.every(
            (p) =>
              (p.kind !== 'from' || p.values.includes(change.from)) &&
              (p.kind !== 'to' || p.values.includes(change.to)) &&
              (p.kind !== 'by' || (change.by !== null && p.values.includes(change.by))),
          ),
      );
  }
  const values = operandValues(term.operand, spec, ctx);
  const negated = operator === 'was not' || operator === 'was not in';
  return (i) => {
    const held = heldValues(i, spec, ctx);
    return values.some((v) => held.includes(v === null ? null : String(v))) !== negated;
  };
}

function compileClause(clause: Clause, ctx: JqlContext): Predicate {
  switch (clause.kind) {
    case 'term':
      return compileTerm(clause, ctx);
    case 'not': {
      const inner = compileClause(clause.clause, ctx);
      return (i) => !inner(i);
    }
    case 'and': {
      const parts = clause.clauses.map((c) => compileClause(c, ctx));
      return (i) => parts.every((p) => p(i));
    }
    case 'or': {
      const parts = clause.clauses.map((c) => compileClause(c, ctx));
      return (i) => parts.some((p) => p(i));
    }
  }
}

type SortKey = (issue: IssueRecord) => string | number | null;

function sortKey(field: string, ctx: JqlContext): SortKey {
  const { state } = ctx;
  field = field.replace(/^"|"$/g, '');
  const priorityRank = new Map(
    [...state.priorities.keys()].map((id, index) => [id, state.priorities.size - index]),
  );
  const keys: Record<string, SortKey> = {
    key: (i) => `${i.key.split('-')[0]}-${i.key.split('-')[1].padStart(10, '0')}`,
    issuekey: (i) => keys.key(i),
    id: (i) => Number(i.id),
    created: (i) => i.created,
    updated: (i) => i.updated,
    resolved: (i) => i.resolutionDate,
    duedate: (i) => i.duedate,
    summary: (i) => i.summary.toLowerCase(),
    priority: (i) => priorityRank.get(i.priorityId) ?? 0,
    status: (i) => state.statuses.get(i.statusId)?.name ?? '',
    assignee: (i) => (i.assigneeId ? (state.users.get(i.assigneeId)?.displayName ?? '') : null),
    issuetype: (i) => state.issueTypes.get(i.issueTypeId)?.name ?? '',
    project: (i) => state.projects.get(i.projectId)?.key ?? '',
    // Rank: the board order; issues rank in creation order unless moved, which the sandbox cannot do.
    rank: (i) => Number(i.id),
    reporter: (i) => state.users.get(i.reporterId)?.displayName ?? '',
    fixversion: (i) => state.versions.get(i.fixVersionIds[0] ?? '')?.name ?? null,
    component: (i) => state.components.get(i.componentIds[0] ?? '')?.name ?? null,
  };
  const custom = customFieldSpec(field, ctx);
  const key = keys[lower(field)] ?? (custom ? customSortKey(custom) : undefined);
  if (!key) throw new JqlError(JQL_MESSAGES.unknownField(field));
  return key;
}

function customSortKey(spec: FieldSpec): SortKey {
  if (spec.date) return (i) => spec.date?.(i) ?? null;
  if (spec.text) return (i) => spec.text?.(i) || null;
  return () => null;
}

export interface CompiledJql {
  matches: Predicate;
  compare: (a: IssueRecord, b: IssueRecord) => number;
}

/** Checks fields and values against the sandbox's data and turns the query into a filter and an order. */
export function compileJql(query: JqlQuery, ctx: JqlContext): CompiledJql {
  if (query.where === null) throw new JqlError(JQL_MESSAGES.unbounded);
  const matches = compileClause(query.where, ctx);
  const order = (
    query.orderBy.length > 0 ? query.orderBy : [{ field: 'created', direction: 'desc' as const }]
  ).map((o) => ({ key: sortKey(o.field, ctx), sign: o.direction === 'asc' ? 1 : -1 }));
  const compare = (a: IssueRecord, b: IssueRecord): number => {
    for (const { key, sign } of order) {
      const x = key(a);
      const y = key(b);
      if (x === y) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      return (x < y ? -1 : 1) * sign;
    }
    return Number(b.id) - Number(a.id);
  };
  return { matches, compare };
}

type StructureOperand =
  | { values: StructureOperand[] }
  | { value: string }
  | { function: string; arguments: string[] }
  | { keyword: 'empty' };

function operandStructure(operand: Operand): StructureOperand {
  switch (operand.kind) {
    case 'list':
      return { values: operand.items.map(operandStructure) };
    case 'function':
      return { function: operand.name, arguments: operand.args };
    case 'empty':
      return { keyword: 'empty' };
    default:
      return { value: operand.text };
  }
}

function clauseStructure(clause: Clause): Record<string, unknown> {
  switch (clause.kind) {
    case 'and':
    case 'or':
      return { operator: clause.kind, clauses: clause.clauses.map(clauseStructure) };
    case 'not':
      return { operator: 'not', clauses: [clauseStructure(clause.clause)] };
    default: {
      const field = {
        name: clause.field,
        encodedName: /\s/.test(clause.field) ? `"${clause.field}"` : clause.field,
      };
      const predicates = (clause.predicates ?? []).map((p) => ({
        operator: p.kind,
        operand: operandStructure(p.operand),
      }));
      if (clause.operator === 'changed') return { field, operator: 'changed', predicates };
      if (clause.operator.startsWith('was'))
        return { field, operator: clause.operator, operand: operandStructure(clause.operand), predicates };
      return { field, operator: clause.operator, operand: operandStructure(clause.operand) };
    }
  }
}

/** The `JqlQuery` structure of `POST /jql/parse`. */
export function jqlStructure(query: JqlQuery): Record<string, unknown> {
  return {
    ...(query.where ? { where: clauseStructure(query.where) } : {}),
    ...(query.orderBy.length > 0
      ? {
          orderBy: {
            fields: query.orderBy.map((o) => ({
              field: { name: o.field, encodedName: o.field },
              direction: o.direction,
            })),
          },
        }
      : {}),
  };
}
