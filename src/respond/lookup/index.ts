/**
 * `lookup`: the page and JSON API on which a person learns their own status from a scope report.
 * See server.ts for the routes and token.ts for the token a login service must issue.
 */
export { COOKIE_NAME, SECURITY_HEADERS, startLookup, type LookupOptions, type LookupServer } from './server.ts';
export { identityKeyId, loadReport, parseReport, ScopeReportSchema } from './report.ts';
export { CLOCK_TOLERANCE_S, TOKEN_AUDIENCE } from './token.ts';
export { HEADLINES, negotiateLang, pickLang, type Answer, type Lang } from './text.ts';
