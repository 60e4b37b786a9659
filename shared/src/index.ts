export * from './jira';
export * from './messages';
