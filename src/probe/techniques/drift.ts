/**
 * probe/drift (P17): compares this cycle with the last known-good cycle of the same URL on the same
 * edge (every technique ok). A technique that was ok then and is not now means something changed:
 * a deploy, a cache rule, a CDN switch (the 2017 trigger).
 */
import { defineTechnique } from '../types.ts';
import { result } from './result.ts';

export default defineTechnique({
  id: 'probe/drift',
  title: 'Change against the last known-good baseline',
  riskSeverity: 'high',
  appliesTo: 'personalized',
  last: true,
  docs: {
    description:
      'Every cycle records each technique\'s verdict per URL and edge (in `probe.state`); a cycle where all were ok becomes the known-good baseline. When a technique that was ok in the baseline now reports a risk or a leak, drift names what changed and since when. It fires on the first cycle after a CDN switch or a cache-rule deploy, before anyone can report a leak.',
    fix: 'Look at what was deployed since the baseline (CDN, cache rules, origin headers) and roll it back; the other findings of the cycle say what is wrong now.',
    references: ['probing research P17', 'the 2017 incident: a CDN switch tested by hand'],
  },
  async run(ctx) {
    const good = ctx.knownGood();
    const now = ctx.results().filter((f) => f.technique !== 'probe/drift');
    if (!good) return result(ctx, 'ok', 'no known-good baseline yet for this URL and edge', []);
    const changed = now.filter((f) => f.verdict !== 'ok' && good.verdicts[f.technique] === 'ok');
    if (changed.length === 0) return result(ctx, 'ok', `unchanged since the known-good baseline of ${new Date(good.at).toISOString()}`, []);
    const worst = changed.some((f) => f.verdict === 'leak') ? 'leak' : 'risk';
    return result(
      ctx,
      'risk',
      `changed since the known-good baseline of ${new Date(good.at).toISOString()}: ${changed.map((f) => `${f.technique} ok → ${f.verdict}`).join(', ')}`,
      changed.flatMap((f) => f.evidence.responses).slice(0, 4),
      { severity: worst === 'leak' ? 'critical' : 'high', note: changed.map((f) => f.message).join(' | ') },
    );
  },
});
