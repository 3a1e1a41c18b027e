export { startOrigin, lenientRewrite, LAB_PERSONALIZED_GLOBS, PERSONALIZED_HEADER_MODES, PERSONALIZED_HEADERS, ORIGIN_ROUTE_CLASSES, SESSION_COOKIE, INCIDENT_2017_EXPIRES } from './server.ts';
export type { Origin, OriginOptions, OriginCounters, OriginRequestRecord, OriginRouteClass, PersonalizedHeaderMode } from './server.ts';
export { LAB_IDENTITY_KEY, OWNER_TAG_HEADER, ownerTags } from './owner-tag.ts';
export type { OwnerTags } from './owner-tag.ts';
export { canaryAccounts, CANARY_USERS } from './canaries.ts';
export type { CanaryOptions } from './canaries.ts';
