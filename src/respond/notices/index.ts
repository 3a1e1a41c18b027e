/**
 * Notices (issue 6, item 4): one plain notice per person of a scope report, whose first sentence
 * says whether the reader was affected, from templates a team can copy and edit.
 */
export { writeNotices, type NoticesOptions, type NoticesResult } from './write.ts';
export { initTemplates, loadTemplates, requiredTemplates, BUILTIN_TEMPLATES, FORMATS, type Format, type NoticeTemplates } from './templates.ts';
export { PLACEHOLDERS } from './placeholders.ts';
export { LANGS, type Lang } from './words.ts';
