/**
 * Which lines of a directive apply to a request, given the chain of blocks that handles it
 * (http → server → location → nested location → taken `if`). This is nginx's merge of
 * configuration levels (the `*_merge_loc_conf` functions), one rule per directive kind:
 *
 * | directives | rule |
 * |---|---|
 * | everything not listed below | The innermost level that has the directive wins, with *all* its lines there. Lines of outer levels are not added. For single-valued directives nginx refuses duplicates, so that is one line. For list directives (`proxy_cache_valid`, `proxy_ignore_headers`, `proxy_cache_bypass`, `proxy_no_cache`, `proxy_set_header`, `add_header`, `proxy_cache_use_stale`, `proxy_cache_methods`, `error_page`, `*_param`...) it means: inherited only when the level defines none of them. That is the `add_header` trap. |
 * | `proxy_hide_header` + `proxy_pass_header` (and the fastcgi/uwsgi/scgi/grpc pairs) | One group. A level that has either of them inherits neither (ngx_http_upstream_hide_headers_hash). |
 * | `proxy_pass`, `fastcgi_pass`, `uwsgi_pass`, `scgi_pass`, `grpc_pass`, `memcached_pass`, `try_files` | Not inherited by nested locations. Only the innermost location and its `if`/`limit_except` blocks count. |
 *
 * Rewrite-module directives (`set`, `if`, `rewrite`, `return`, `break`) are not inherited either. They run in order at
 * server level and then in the chosen location; see walk.ts.
 */
import { directivesOf, type NginxDirective } from './ast.ts';
import { PASS_DIRECTIVES } from './routing.ts';

const GROUPED = ['proxy', 'fastcgi', 'uwsgi', 'scgi', 'grpc'].map((p) => [`${p}_hide_header`, `${p}_pass_header`]);
const LOCATION_ONLY = new Set<string>([...PASS_DIRECTIVES, 'try_files']);

function groupOf(name: string): readonly string[] {
  return GROUPED.find((g) => g.includes(name)) ?? [name];
}

/**
 * The lines of `name` that apply at the end of `chain` (outermost first), in source order;
 * empty when nothing applies (nginx's default then).
 */
export function effective(name: string, chain: readonly NginxDirective[]): NginxDirective[] {
  const group = groupOf(name);
  const localOnly = LOCATION_ONLY.has(name);
  for (let i = chain.length - 1; i >= 0; i--) {
    const level = chain[i]!;
    const lines = directivesOf(level.block);
    if (lines.some((d) => group.includes(d.name))) return lines.filter((d) => d.name === name);
    if (localOnly && level.name === 'location') return [];
  }
  return [];
}

/** The last applying line of a single-valued directive, if any. */
export function effectiveOne(name: string, chain: readonly NginxDirective[]): NginxDirective | undefined {
  const lines = effective(name, chain);
  return lines[lines.length - 1];
}
