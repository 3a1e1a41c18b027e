/**
 * The cachewarden lab: a demo origin with synthetic people, the real nginx and Varnish
 * configured the way real incidents were, and a traffic generator with ground truth.
 * See docs/lab.md.
 */
export * from './people.ts';
export * from './origin/index.ts';
export * from './engines/index.ts';
export * from './scenarios/index.ts';
export * from './traffic/index.ts';
