/**
 * An incident folder from a lab run, for `cachewarden scope` (docs/respond.md and the scope lab
 * test): the cache's access log, the sessions map (credential → user id, as the shop's session
 * store would export it), the relations file (whose data each page shows besides its owner's: a
 * buyer's name and address on the seller's pages), a cachewarden.yaml whose `respond.routes` says
 * what each lab page shows of its owner, and the traffic generator's ground truth.
 *
 * Lab only: the sessions map holds raw lab credentials, which scope hashes as it reads them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Origin } from './origin/index.ts';
import { LAB_PERSONALIZED_GLOBS } from './origin/index.ts';
import { LAB_IDENTITY_KEY } from './origin/owner-tag.ts';
import type { Transaction } from './people.ts';
import type { TrafficResult } from './traffic/types.ts';

const MYPAGE = ['name', 'email', 'phone', 'address', 'bank', 'card', 'points'];

/** What each lab page shows of its owner (`respond.routes`; lab/origin/render.ts). */
export const LAB_RESPOND_ROUTES: Readonly<Record<string, readonly string[]>> = {
  '/mypage*': MYPAGE,
  '/orders*': ['name', 'email', 'history'],
  '/transactions/*': ['name', 'email', 'address', 'history'],
  '/api/me*': MYPAGE,
  '/api/orders*': ['name', 'email', 'history'],
  '/api/transactions/*': ['name', 'email', 'address', 'history'],
};

/**
 * Sellers whose pages show a buyer's name and address (a trade awaiting shipment, no anonymous
 * shipping): when one of their pages leaks, a buyer's data leaks with it.
 */
export function sellersWithBuyerData(origin: Pick<Origin, 'transactions'>): string[] {
  return [...new Set(origin.transactions.filter((tx) => !tx.anonymousShipping && tx.status === 'awaiting-shipment').map((tx) => tx.sellerId))].sort();
}

/** `owner,person,route,fields`: which pages show a buyer's name and address to the seller. */
export function relationsCsv(txs: readonly Transaction[]): string {
  const rows = ['owner,person,route,fields'];
  for (const tx of txs) {
    if (tx.anonymousShipping) continue;
    const routes = [`/transactions/${tx.id}`, `/api/transactions/${tx.id}`];
    // Sellers see what to ship on their page and order list while the trade awaits shipment.
    if (tx.status === 'awaiting-shipment') routes.push('/mypage', '/orders', '/api/orders');
    for (const r of routes) rows.push(`${tx.sellerId},${tx.buyerId},${r},name|address`);
  }
  return `${rows.join('\n')}\n`;
}

/** `session,user`: the credentials the traffic used and whose they are. */
export function sessionsCsv(t: Pick<TrafficResult, 'identities'>): string {
  return `session,user\n${Object.entries(t.identities).map(([cred, user]) => `${cred},${user}`).join('\n')}\n`;
}

/** The cachewarden.yaml of an incident folder. */
export function incidentConfig(): string {
  const routes = Object.entries(LAB_RESPOND_ROUTES).map(([glob, fields]) => `    "${glob}": [${fields.join(', ')}]`).join('\n');
  return `# cachewarden.yaml for a lab incident (written by \`cachewarden lab --incident\`).
personalized: [${LAB_PERSONALIZED_GLOBS.map((g) => `"${g}"`).join(', ')}]
identity:
  key: \${CACHEWARDEN_IDENTITY_KEY:-${LAB_IDENTITY_KEY}}
  cookies: [sid]
respond:
  sessions: sessions.csv
  relations: relations.csv
  routes:
${routes}
  incident:
    organisation: Lab Flea Market
    title: Member pages shown to other members
    cause: A cache in front of the shop stored member pages and handed them to other members who asked at the same moment.
    measures:
      - Member pages are no longer cached (the cache now passes them to the shop).
      - Every cached page was deleted.
    contact: Lab Flea Market support, support@lab-market.example.test
    ja:
      organisation: ラボフリマ
      title: 会員ページが他の会員に表示された件
      cause: ショップの前にあるキャッシュが会員ページを保存し、同じ時刻にアクセスした別の会員にそのページを渡していました。
      measures:
        - 会員ページをキャッシュしないように設定を改めました（キャッシュは会員ページをそのままショップに渡します）。
        - キャッシュに保存されていたページをすべて削除しました。
      contact: ラボフリマ サポート窓口 support@lab-market.example.test
`;
}

/** Wait until the access log has at least `lines` lines (engines write them as responses end). */
export async function waitForLog(path: string, lines: number, timeoutMs = 10_000): Promise<string[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    let got: string[] = [];
    try {
      got = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
    } catch {
      // not written yet
    }
    if (got.length >= lines || Date.now() > end) return got;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Write sessions.csv, relations.csv, cachewarden.yaml and ground-truth.json next to the access log in `dir`. */
export function writeIncident(dir: string, traffic: TrafficResult, transactions: readonly Transaction[]): string[] {
  writeFileSync(join(dir, 'sessions.csv'), sessionsCsv(traffic));
  writeFileSync(join(dir, 'relations.csv'), relationsCsv(transactions));
  writeFileSync(join(dir, 'cachewarden.yaml'), incidentConfig());
  const truth = {
    leaks: traffic.leaks.map((l) => ({ owner: l.owner, viewer: l.viewer, url: l.url, count: l.count, fields: l.fields })),
    exposures: traffic.exposures.map((e) => ({ person: e.person, owner: e.owner, viewer: e.viewer, url: e.url, fields: e.fields })),
  };
  writeFileSync(join(dir, 'ground-truth.json'), `${JSON.stringify(truth, null, 2)}\n`);
  return ['access.log', 'sessions.csv', 'relations.csv', 'cachewarden.yaml', 'ground-truth.json'];
}
