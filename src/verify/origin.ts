/**
 * The `origin` target: no configuration file, only what the origin is declared to send
 * (`origin.headers` in cachewarden.yaml) judged under the CDN in front (`profile:`). This is the
 * check the 2017 switch lacked: the same headers that one CDN never shared, the next one collapsed.
 */
import { globToRegExp } from '../core/glob.ts';
import type { VerifySettings } from './rules/define.ts';
import type { ConfigModelBase, RouteEvaluation } from './types.ts';

export type OriginModel = ConfigModelBase<'origin'>;

export function originModel(settings: VerifySettings, configFile = 'cachewarden.yaml'): OriginModel {
  return {
    kind: 'origin',
    name: `origin.headers (${configFile})`,
    files: [configFile],
    evaluate(request, response): RouteEvaluation[] {
      const path = request.url.split('?')[0] ?? request.url;
      const entry = settings.originHeaders.find((o) => globToRegExp(o.glob).test(path));
      const at = entry?.at ?? { file: configFile, line: 1, column: 1 };
      return [
        {
          kind: 'origin',
          handler: { label: entry ? `origin.headers["${entry.glob}"]` : 'origin (no headers declared)', at },
          profile: settings.profile,
          request,
          response,
          provenance: entry ? Object.entries(entry.headers).map(([k, v]) => ({ option: `response.${k.toLowerCase()}`, at, text: `${k}: ${v}` })) : [],
          assumptions: [],
          caching: true,
        },
      ];
    },
  };
}
