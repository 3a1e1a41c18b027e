/**
 * Page and JSON rendering for the demo origin. Deliberately plain: the point is which
 * person's data ends up in which body.
 *
 * Conventions the traffic generator relies on (see lab/traffic/attribution.ts):
 * - HTML: the person a page was rendered for appears inside `<div class="account">…</div>`
 *   (name, and the e-mail on personalized pages); everybody else's data is outside it.
 * - JSON: the person a response was rendered for is the top-level `account` object.
 */
import type { Item, Person, Population, Transaction } from '../people.ts';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function yen(n: number): string {
  return `¥${n.toLocaleString('en-US')}`;
}

export interface PageContext {
  /** Logged-in user the page is rendered for (only when the page is personalized or greets). */
  viewer?: Person | undefined;
  /** Show the viewer's e-mail in the account block (personalized pages). */
  showEmail?: boolean;
}

export function layout(title: string, main: string, ctx: PageContext = {}): string {
  const v = ctx.viewer;
  const account = v
    ? `Signed in as <b>${escapeHtml(v.name)}</b>${ctx.showEmail ? ` &lt;${escapeHtml(v.email)}&gt;` : ''} · <a href="/mypage">My page</a> · <form method="post" action="/logout" class="inline"><button>Log out</button></form>`
    : `<a href="/login">Log in</a>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)} · Lab Flea Market</title>
<link rel="stylesheet" href="/static/app.css">
<script src="/static/app.js" defer></script>
</head>
<body>
<header>
<a href="/" class="brand"><img src="/static/logo.png" alt="" width="16" height="16"> Lab Flea Market</a>
<nav><a href="/">Items</a> <a href="/mypage">My page</a> <a href="/orders">Orders</a> <a href="/about">About</a></nav>
<div class="account">${account}</div>
</header>
<main>
<h1>${escapeHtml(title)}</h1>
${main}
</main>
<footer>Synthetic data for the cachewarden lab. Nobody on this site is real.</footer>
</body>
</html>
`;
}

export function homePage(pop: Population, ctx: PageContext): string {
  const rows = pop.items
    .slice(0, 24)
    .map((it) => `<li><a href="/items/${it.id}">${escapeHtml(it.title)}</a> ${yen(it.price)}</li>`)
    .join('\n');
  return layout('New arrivals', `<ul class="items">\n${rows}\n</ul>`, ctx);
}

export function itemPage(pop: Population, item: Item, ctx: PageContext): string {
  const seller = pop.person(item.sellerId);
  return layout(
    item.title,
    `<p class="price">${yen(item.price)}</p>
<p>Sold by <span class="nickname">${escapeHtml(seller?.nickname ?? 'unknown')}</span></p>
<form method="post" action="/items/${item.id}/buy"><button>Buy</button></form>`,
    ctx,
  );
}

export function aboutPage(ctx: PageContext): string {
  return layout(
    'About',
    `<p>The Lab Flea Market is a demo shop for cachewarden. Its people, items and trades are generated from a seed.</p>`,
    ctx,
  );
}

export function loginPage(message?: string, next?: string): string {
  return layout(
    'Log in',
    `${message ? `<p class="error">${escapeHtml(message)}</p>` : ''}
<form method="post" action="/login">
<label>User <input name="user" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
${next ? `<input type="hidden" name="next" value="${escapeHtml(next)}">` : ''}
<button>Log in</button>
</form>`,
  );
}

export function myPage(p: Person, pop: Population): string {
  const todo = pop
    .transactionsOf(p.id)
    .filter((tx) => tx.sellerId === p.id && tx.status === 'awaiting-shipment')
    .map((tx) => `<li>Ship <a href="/transactions/${tx.id}">${escapeHtml(pop.item(tx.itemId)?.title ?? tx.itemId)}</a> to ${shippingTo(pop, tx)}</li>`)
    .join('\n');
  return layout(
    'My page',
    `<section class="profile">
<dl>
<dt>Name</dt><dd class="name">${escapeHtml(p.name)}</dd>
<dt>Address</dt><dd class="address">〒${escapeHtml(p.address.postalCode)} ${escapeHtml(p.address.line)}</dd>
<dt>E-mail</dt><dd class="email">${escapeHtml(p.email)}</dd>
<dt>Phone</dt><dd class="phone">${escapeHtml(p.phone)}</dd>
<dt>Bank account</dt><dd class="bank">${escapeHtml(p.bank.bank)}, ${escapeHtml(p.bank.branch)}, ${escapeHtml(p.bank.accountNumber)}</dd>
<dt>Card</dt><dd class="card">${escapeHtml(p.card.brand)} •••• ${escapeHtml(p.card.last4)}, expires ${escapeHtml(p.card.expiry)}</dd>
<dt>Points</dt><dd class="points">${p.points}</dd>
</dl>
</section>
<section class="todo"><h2>To do</h2><ul>${todo || '<li>Nothing to do.</li>'}</ul></section>`,
    { viewer: p, showEmail: true },
  );
}

function shippingTo(pop: Population, tx: Transaction): string {
  if (tx.anonymousShipping) return 'Anonymous shipping (name and address hidden)';
  const buyer = pop.person(tx.buyerId);
  if (!buyer) return 'unknown';
  return `<span class="ship-name">${escapeHtml(buyer.name)}</span>, 〒${escapeHtml(buyer.address.postalCode)} <span class="ship-address">${escapeHtml(buyer.address.line)}</span>`;
}

export function ordersPage(p: Person, pop: Population): string {
  const orders = p.orders
    .map((o) => `<li>${o.date} ${escapeHtml(o.item)} ${yen(o.amount)} (order ${o.id})</li>`)
    .join('\n');
  const txs = pop.transactionsOf(p.id);
  const bought = txs
    .filter((tx) => tx.buyerId === p.id)
    .map((tx) => `<li><a href="/transactions/${tx.id}">${escapeHtml(pop.item(tx.itemId)?.title ?? tx.itemId)}</a> ${yen(tx.price)} ${tx.status}</li>`)
    .join('\n');
  const sold = txs
    .filter((tx) => tx.sellerId === p.id)
    .map(
      (tx) =>
        `<li><a href="/transactions/${tx.id}">${escapeHtml(pop.item(tx.itemId)?.title ?? tx.itemId)}</a> ${yen(tx.price)} ${tx.status}${
          tx.status === 'awaiting-shipment' ? ` — ship to: ${shippingTo(pop, tx)}` : ''
        }</li>`,
    )
    .join('\n');
  return layout(
    'Orders',
    `<h2>Shop orders</h2><ul>${orders || '<li>None.</li>'}</ul>
<h2>Bought</h2><ul>${bought || '<li>None.</li>'}</ul>
<h2>Sold</h2><ul>${sold || '<li>None.</li>'}</ul>`,
    { viewer: p, showEmail: true },
  );
}

export function transactionPage(p: Person, tx: Transaction, pop: Population): string {
  const item = pop.item(tx.itemId);
  const seller = pop.person(tx.sellerId);
  const isSeller = tx.sellerId === p.id;
  const body = isSeller
    ? `<p>You sold <b>${escapeHtml(item?.title ?? tx.itemId)}</b> for ${yen(tx.price)} on ${tx.date}. Status: ${tx.status}.</p>
<p class="shipping">Ship to: ${shippingTo(pop, tx)}</p>`
    : `<p>You bought <b>${escapeHtml(item?.title ?? tx.itemId)}</b> for ${yen(tx.price)} on ${tx.date}. Status: ${tx.status}.</p>
<p>Seller: <span class="nickname">${escapeHtml(seller?.nickname ?? 'unknown')}</span></p>
<p class="shipping">Deliver to: ${tx.anonymousShipping ? 'Anonymous shipping (pick-up locker)' : `${escapeHtml(p.name)}, 〒${escapeHtml(p.address.postalCode)} ${escapeHtml(p.address.line)}`}</p>`;
  return layout(`Transaction ${tx.id}`, body, { viewer: p, showEmail: true });
}

// ---- JSON twins -------------------------------------------------------------------

export function accountJson(p: Person, full: boolean): Record<string, unknown> {
  if (!full) return { id: p.id, name: p.name, email: p.email };
  return {
    id: p.id,
    name: p.name,
    email: p.email,
    phone: p.phone,
    address: { postalCode: p.address.postalCode, line: p.address.line },
    bank: { ...p.bank },
    card: { ...p.card },
    points: p.points,
  };
}

function shippingJson(pop: Population, tx: Transaction): Record<string, unknown> {
  if (tx.anonymousShipping) return { anonymous: true };
  const buyer = pop.person(tx.buyerId);
  return {
    anonymous: false,
    name: buyer?.name,
    postalCode: buyer?.address.postalCode,
    address: buyer?.address.line,
  };
}

export function meJson(p: Person): unknown {
  return { account: accountJson(p, true) };
}

export function ordersJson(p: Person, pop: Population): unknown {
  const txs = pop.transactionsOf(p.id);
  return {
    account: accountJson(p, false),
    orders: p.orders,
    bought: txs
      .filter((tx) => tx.buyerId === p.id)
      .map((tx) => ({ transaction: tx.id, item: pop.item(tx.itemId)?.title, price: tx.price, status: tx.status })),
    sold: txs
      .filter((tx) => tx.sellerId === p.id)
      .map((tx) => ({
        transaction: tx.id,
        item: pop.item(tx.itemId)?.title,
        price: tx.price,
        status: tx.status,
        ...(tx.status === 'awaiting-shipment' ? { shipTo: shippingJson(pop, tx) } : {}),
      })),
  };
}

export function transactionJson(p: Person, tx: Transaction, pop: Population): unknown {
  const isSeller = tx.sellerId === p.id;
  return {
    account: accountJson(p, false),
    transaction: {
      id: tx.id,
      role: isSeller ? 'seller' : 'buyer',
      item: pop.item(tx.itemId)?.title,
      price: tx.price,
      date: tx.date,
      status: tx.status,
      seller: { nickname: pop.person(tx.sellerId)?.nickname },
      shipping: isSeller
        ? shippingJson(pop, tx)
        : tx.anonymousShipping
          ? { anonymous: true }
          : { anonymous: false, name: p.name, postalCode: p.address.postalCode, address: p.address.line },
    },
  };
}

// ---- static assets -------------------------------------------------------------------

export const APP_CSS = `body{font-family:system-ui,sans-serif;margin:0 auto;max-width:48rem;padding:1rem;color:#222}
header{display:flex;gap:1rem;align-items:center;border-bottom:1px solid #ddd;padding-bottom:.5rem}
.account{margin-left:auto;font-size:.9rem}.inline{display:inline}
dl{display:grid;grid-template-columns:10rem 1fr}footer{margin-top:2rem;color:#888;font-size:.8rem}
`;

export const APP_JS = `// Lab Flea Market: nothing to see here.
document.documentElement.dataset.lab = 'cachewarden';
`;

/** A 1×1 transparent PNG. */
export const LOGO_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
