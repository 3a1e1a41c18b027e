/**
 * Synthetic people, items and flea-market transactions for the cachewarden lab.
 *
 * Everything is generated deterministically from a seed, and everything is clearly fake:
 * e-mail addresses end in `example.test` (RFC 2606), phone numbers are in the fictional
 * `555-01xx` range, addresses are in "Labtown", the bank is "Example Lab Bank". The data
 * has the same *shape* as what leaked in the 2017 incident (name, address, e-mail, phone,
 * bank account, card last four digits and expiry, points, purchase and sales history), so
 * detectors and notices can be exercised on it.
 */
import { createHash } from 'node:crypto';

export interface PostalAddress {
  postalCode: string;
  /** Street, district and town on one line. */
  line: string;
}

export interface BankAccount {
  bank: string;
  branch: string;
  /** Unique per person in one population. */
  accountNumber: string;
}

export interface PaymentCard {
  brand: string;
  last4: string;
  /** `MM/YY`. */
  expiry: string;
}

export interface ShopOrder {
  id: string;
  /** ISO date (`YYYY-MM-DD`). */
  date: string;
  item: string;
  amount: number;
}

export interface Person {
  /** `u01`, `u02`, ... */
  id: string;
  /** Full name (personal data; shown on the person's own pages). Unique in a population. */
  name: string;
  /** Public seller handle (shown on public item pages; not personal data). */
  nickname: string;
  email: string;
  phone: string;
  address: PostalAddress;
  bank: BankAccount;
  card: PaymentCard;
  points: number;
  /** Purchases from the shop itself (flea-market trades are in `Population.transactions`). */
  orders: ShopOrder[];
}

export interface Item {
  /** `i01`, ... */
  id: string;
  title: string;
  price: number;
  sellerId: string;
}

export interface Transaction {
  /** `t001`, ... */
  id: string;
  itemId: string;
  sellerId: string;
  buyerId: string;
  price: number;
  date: string;
  status: 'awaiting-shipment' | 'shipped' | 'completed';
  /**
   * Anonymous shipping: the seller never sees the buyer's name and address. When false,
   * the seller's view of the transaction shows the buyer's shipping name and address
   * (the 2017 "case 2": a buyer's address sat on the seller's page).
   */
  anonymousShipping: boolean;
}

export interface Credentials {
  /** Login name accepted by `POST /login` and `POST /api/login` (the user id; the e-mail works too). */
  user: string;
  email: string;
  password: string;
}

/** What a traffic generator or a detector needs to know about the population. */
export interface PeopleDirectory {
  readonly people: readonly Person[];
  readonly items: readonly Item[];
  readonly transactions: readonly Transaction[];
  credentialsFor(userId: string): Credentials;
}

export interface Population extends PeopleDirectory {
  readonly seed: number;
  person(id: string): Person | undefined;
  item(id: string): Item | undefined;
  transaction(id: string): Transaction | undefined;
  userForEmail(email: string): Person | undefined;
  /** Transactions where the person is seller or buyer. */
  transactionsOf(userId: string): Transaction[];
}

export interface PopulationOptions {
  /** Default `DEFAULT_SEED`. */
  seed?: number;
  /** Number of people, 1–999. Default 40. */
  people?: number;
  /** Number of items listed on the market. Default 1.5 × people. */
  items?: number;
  /** Number of completed or pending trades. Default 1.5 × people. */
  transactions?: number;
}

export const DEFAULT_SEED = 20170622;
export const DEFAULT_PEOPLE = 40;

/** mulberry32: small, fast, deterministic. Returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = [
  'Hanako', 'Taro', 'Yuki', 'Kenji', 'Aiko', 'Haruto', 'Mei', 'Sora', 'Rin', 'Daichi',
  'Emma', 'Liam', 'Olivia', 'Noah', 'Ava', 'Lucas', 'Mia', 'Leo', 'Chloe', 'Felix',
  'Nora', 'Oskar', 'Ines', 'Mateo', 'Lena', 'Ravi', 'Amara', 'Jonas', 'Sofia', 'Kai',
] as const;
const LAST = [
  'Sato', 'Suzuki', 'Takahashi', 'Tanaka', 'Watanabe', 'Ito', 'Yamamoto', 'Nakamura',
  'Kobayashi', 'Kato', 'Smith', 'Jensen', 'Garcia', 'Muller', 'Rossi', 'Novak', 'Silva',
  'Okafor', 'Larsen', 'Dubois', 'Kowalski', 'Fischer', 'Moreau', 'Lindqvist', 'Haddad',
] as const;
const STREETS = [
  'Sample-cho', 'Example-dori', 'Testing-machi', 'Placeholder Lane', 'Fixture Street',
  'Mock Avenue', 'Stub-cho', 'Dummy Road', 'Sandbox-dori', 'Harness Way',
] as const;
const DISTRICTS = ['Testminato-ku', 'Labshinjuku-ku', 'Mockshibuya-ku', 'Stubnakano-ku', 'Fixturemeguro-ku'] as const;
const ITEMS = [
  'Vintage film camera', 'Wool scarf (navy)', 'Paperback set: detective novels', 'Cast-iron teapot',
  'Kids bicycle 16"', 'Wireless earbuds (used)', 'Handmade ceramic mug', 'Board game: trains',
  'Leather wallet', 'Mechanical keyboard', 'Denim jacket M', 'Rice cooker 3-cup',
  'Snowboard boots 27cm', 'Vinyl record bundle', 'Desk lamp', 'Trading cards lot',
  'Yoga mat', 'Electric kettle', 'Hiking backpack 30L', 'Watercolour paint set',
  'Retro handheld console', 'Silk tie', 'Bread maker', 'Camping lantern',
] as const;
const BRANDS = ['LABVISA', 'LABMASTER', 'LABJCB'] as const;
const BRANCHES = ['Sandbox', 'Fixture', 'Harness', 'Staging'] as const;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function pick<T>(rnd: () => number, list: readonly T[]): T {
  return list[Math.floor(rnd() * list.length)] as T;
}

function isoDate(rnd: () => number): string {
  const start = Date.UTC(2017, 0, 1);
  const day = Math.floor(rnd() * 170); // Jan..mid-June 2017
  return new Date(start + day * 86_400_000).toISOString().slice(0, 10);
}

/** The lab password of a user: derivable from the seed and the id, never used outside the lab. */
export function labPassword(seed: number, userId: string): string {
  const h = createHash('sha256').update(`cachewarden-lab:${seed}:${userId}`).digest('base64url');
  return `pw-${userId}-${h.slice(0, 8)}`;
}

export function makePopulation(opts: PopulationOptions = {}): Population {
  const seed = opts.seed ?? DEFAULT_SEED;
  const count = opts.people ?? DEFAULT_PEOPLE;
  if (!Number.isInteger(count) || count < 1 || count > 999) {
    throw new RangeError(`people must be an integer from 1 to 999, got ${count}`);
  }
  const rnd = seededRandom(seed);
  const width = count < 100 ? 2 : 3;

  const usedNames = new Set<string>();
  const people: Person[] = [];
  for (let i = 1; i <= count; i++) {
    const id = `u${pad(i, width)}`;
    let first: string;
    let last: string;
    let name: string;
    let guard = 0;
    do {
      first = pick(rnd, FIRST);
      last = pick(rnd, LAST);
      name = `${first} ${last}`;
      if (++guard > 50) name = `${first} ${last} ${id.toUpperCase()}`;
    } while (usedNames.has(name));
    usedNames.add(name);
    const lower = `${first}.${last}`.toLowerCase();
    const orders: ShopOrder[] = [];
    const nOrders = 1 + Math.floor(rnd() * 4);
    for (let k = 1; k <= nOrders; k++) {
      orders.push({
        id: `o${pad(i, width)}${k}`,
        date: isoDate(rnd),
        item: pick(rnd, ITEMS),
        amount: 300 + Math.floor(rnd() * 97) * 100,
      });
    }
    orders.sort((a, b) => a.date.localeCompare(b.date));
    people.push({
      id,
      name,
      nickname: `${first.toLowerCase()}_${pick(rnd, ['fox', 'owl', 'cat', 'koi', 'elk', 'bee'])}${pad(i, width)}`,
      email: `${lower}.${id}@example.test`,
      phone: `555-01${pad(i % 100, 2)}-${pad(Math.floor(rnd() * 10000), 4)}`,
      address: {
        postalCode: `000-${pad(1000 + i, 4)}`,
        line: `${1 + Math.floor(rnd() * 9)}-${1 + Math.floor(rnd() * 30)}-${i} ${pick(rnd, STREETS)}, ${pick(rnd, DISTRICTS)}, Labtown`,
      },
      bank: {
        bank: 'Example Lab Bank',
        branch: `${pick(rnd, BRANCHES)} ${pad(1 + Math.floor(rnd() * 40), 3)}`,
        accountNumber: `9${pad(i, 3)}${pad(Math.floor(rnd() * 1000), 3)}`,
      },
      card: {
        brand: pick(rnd, BRANDS),
        last4: pad(Math.floor(rnd() * 10000), 4),
        expiry: `${pad(1 + Math.floor(rnd() * 12), 2)}/${pad(18 + Math.floor(rnd() * 8), 2)}`,
      },
      points: Math.floor(rnd() * 5000),
      orders,
    });
  }

  const nItems = opts.items ?? Math.max(1, Math.round(count * 1.5));
  const items: Item[] = [];
  for (let i = 1; i <= nItems; i++) {
    const seller = people[(i - 1) % people.length] as Person;
    items.push({
      id: `i${pad(i, nItems < 100 ? 2 : 3)}`,
      title: pick(rnd, ITEMS),
      price: 500 + Math.floor(rnd() * 60) * 100,
      sellerId: seller.id,
    });
  }

  const transactions: Transaction[] = [];
  const nTx = count < 2 ? 0 : (opts.transactions ?? Math.round(count * 1.5));
  for (let t = 1; t <= nTx; t++) {
    // Every person sells at least once (first pass), then random sellers.
    const seller = t <= count ? (people[t - 1] as Person) : pick(rnd, people);
    let buyer = pick(rnd, people);
    while (buyer.id === seller.id) buyer = pick(rnd, people);
    const sellerItems = items.filter((it) => it.sellerId === seller.id);
    const item = sellerItems.length > 0 ? pick(rnd, sellerItems) : pick(rnd, items);
    const r = rnd();
    transactions.push({
      id: `t${pad(t, 3)}`,
      itemId: item.id,
      sellerId: seller.id,
      buyerId: buyer.id,
      price: item.price,
      date: isoDate(rnd),
      status: r < 0.5 ? 'awaiting-shipment' : r < 0.75 ? 'shipped' : 'completed',
      // About 60 % anonymous, the rest show the buyer's name and address to the seller.
      anonymousShipping: rnd() < 0.6,
    });
  }

  const byId = new Map(people.map((p) => [p.id, p]));
  const byEmail = new Map(people.map((p) => [p.email.toLowerCase(), p]));
  const itemById = new Map(items.map((it) => [it.id, it]));
  const txById = new Map(transactions.map((tx) => [tx.id, tx]));

  return {
    seed,
    people,
    items,
    transactions,
    person: (id) => byId.get(id),
    item: (id) => itemById.get(id),
    transaction: (id) => txById.get(id),
    userForEmail: (email) => byEmail.get(email.trim().toLowerCase()),
    transactionsOf: (userId) => transactions.filter((tx) => tx.sellerId === userId || tx.buyerId === userId),
    credentialsFor(userId: string): Credentials {
      const p = byId.get(userId);
      if (!p) throw new RangeError(`no such lab user: ${userId}`);
      return { user: p.id, email: p.email, password: labPassword(seed, p.id) };
    },
  };
}

export const PERSONAL_FIELDS = ['name', 'email', 'phone', 'address', 'bank'] as const;
export type PersonalField = (typeof PERSONAL_FIELDS)[number];

/** The strings a person's data shows up as in rendered pages (to recognise whose data a body holds). */
export function personalMarkers(p: Person): Record<PersonalField, string> {
  return { name: p.name, email: p.email, phone: p.phone, address: p.address.line, bank: p.bank.accountNumber };
}
