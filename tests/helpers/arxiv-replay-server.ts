/**
 * A local stand-in for arXiv: a real `node:http` server on 127.0.0.1 and an ephemeral port that
 * answers Atom API queries (`/api/query`) from the recordings in `tests/fixtures/atom/` and
 * OAI-PMH requests (`/oai2`) from `tests/arxiv/fixtures/oai/`, records every request with its
 * arrival time, and injects faults on demand.
 *
 * ```ts
 * const server = await startReplayServer({ faults: [{ status: 503 }, { status: 429, retryAfter: 1 }] });
 * const client = new ArxivClient({ baseUrl: server.atomUrl, ... });
 * ...
 * expect(server.requests.map((r) => r.status)).toEqual([503, 429, 200]);
 * await server.close();
 * ```
 *
 * Faults come from a script consumed one per request (`faults`, `setFaults`) and from rules that
 * match requests (`rules`, `addRule`); a matching rule wins over the script. Synthetic responses
 * for queries nobody recorded (a pipeline test's date window, say) come from `handler`, with
 * `renderAtomFeed`/`renderAtomEntry` to build them.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export const ATOM_FIXTURES_DIR = fileURLToPath(new URL('../fixtures/atom/', import.meta.url));
export const OAI_FIXTURES_DIR = fileURLToPath(new URL('../arxiv/fixtures/oai/', import.meta.url));

/** What to do to one response. Fields combine: `{ delayMs: 200, status: 503 }` waits, then fails. */
export interface Fault {
  /** Wait this long before answering; more than the client's timeout makes a timeout. */
  delayMs?: number;
  /** Answer with this status instead of the recording (body: `body`, or a short text). */
  status?: number;
  /** `Retry-After` value (seconds or an HTTP date). */
  retryAfter?: number | string;
  headers?: Record<string, string>;
  /** Answer with this body (status 200 unless `status` says otherwise). */
  body?: string;
  /** Serve the response cut short but as a complete HTTP message: `true` = half, a number = that many bytes. */
  truncate?: boolean | number;
  /** Announce the full length, send half, then destroy the socket (a reset mid-body). */
  destroy?: boolean;
  /** Serve the response with its entries (Atom) or records (OAI) removed, counters unchanged. */
  empty?: boolean;
  /** Rewrite `opensearch:totalResults` in the served feed. */
  totalResults?: number;
  /** Serve another recording: a fixture file name, or a unique part of one. */
  fixture?: string;
  /** No fault: a placeholder that lets a script skip a request. */
  pass?: true;
}

/** A fault for the requests a rule matches, `times` times (default: every time). */
export interface FaultRule {
  /** A predicate, or query parameters that must all be equal (`{ start: '10' }`). */
  match: ((request: RecordedRequest) => boolean) | Record<string, string>;
  fault: Fault;
  times?: number;
}

/** A request as the server saw it. */
export interface RecordedRequest {
  /** 0-based arrival order. */
  index: number;
  method: string;
  path: string;
  /** Decoded query parameters. */
  query: Record<string, string>;
  userAgent: string | null;
  /** Arrival time, `performance.now()` of this process (ms): compare with each other. */
  at: number;
  /** The fault applied, if any. */
  fault: Fault | null;
  /** The status answered (null while pending, or when the socket was destroyed first). */
  status: number | null;
  /** The fixture file served, if any. */
  fixture: string | null;
}

/** A response a custom handler gives. */
export interface ReplayResponse {
  status?: number;
  body: string;
  headers?: Record<string, string>;
}

export interface ReplayServerOptions {
  faults?: Fault[];
  rules?: FaultRule[];
  /** Answers first; return undefined to fall through to the recordings. */
  handler?: (request: RecordedRequest) => ReplayResponse | undefined;
  atomDir?: string;
  oaiDir?: string;
  /**
   * Open a keep-alive connection from this process's `fetch` before returning (the warm-up request
   * is not recorded). A first request on a new connection (and the first `fetch` of a process,
   * which loads undici) leaves several ms to tens of ms after the rate gate released it, which
   * shows up as a short gap before the next arrival: warm up when asserting arrival spacing.
   */
  warmUp?: boolean;
}

export interface ReplayServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The Atom API endpoint: pass as the client's `baseUrl`. */
  atomUrl: string;
  /** The OAI-PMH endpoint: pass as the harvester's `baseUrl`. */
  oaiUrl: string;
  /** Every request so far, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Replaces the fault script. */
  setFaults(faults: Fault[]): void;
  addRule(rule: FaultRule): void;
  /** Forgets recorded requests, faults and rules. */
  reset(): void;
  /** Lookup key → fixture file, for the recordings loaded. */
  readonly recordings: ReadonlyMap<string, string>;
  /** Idempotent: stops listening, drops open connections and pending delayed answers. */
  close(): Promise<void>;
}

const WARM_UP_PATH = '/__warm-up';

/** Starts a replay server; always `close()` it (an `afterAll`/`afterEach`, or a test fixture). */
export async function startReplayServer(options: ReplayServerOptions = {}): Promise<ReplayServer> {
  const atomDir = options.atomDir ?? ATOM_FIXTURES_DIR;
  const oaiDir = options.oaiDir ?? OAI_FIXTURES_DIR;
  const atom = loadAtomRecordings(atomDir);
  const oai = loadOaiRecordings(oaiDir);
  const requests: RecordedRequest[] = [];
  let script: Fault[] = [...(options.faults ?? [])];
  let rules: (FaultRule & { used: number })[] = (options.rules ?? []).map((r) => ({ ...r, used: 0 }));
  const timers = new Set<NodeJS.Timeout>();

  const pickFault = (request: RecordedRequest): Fault | null => {
    for (const rule of rules) {
      if ((rule.times === undefined || rule.used < rule.times) && matches(rule.match, request)) {
        rule.used++;
        return rule.fault;
      }
    }
    return script.shift() ?? null;
  };

  const wait = (ms: number, res: ServerResponse) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve(!res.destroyed);
      }, ms);
      timers.add(timer);
      res.once('close', () => {
        clearTimeout(timer);
        timers.delete(timer);
        resolve(false);
      });
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const at = performance.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === WARM_UP_PATH) {
      // Not recorded and consumes no fault: it only opens the connection.
      res.writeHead(204).end();
      return;
    }
    const request: RecordedRequest = {
      index: requests.length,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      userAgent: req.headers['user-agent'] ?? null,
      at,
      fault: null,
      status: null,
      fixture: null,
    };
    requests.push(request);
    const fault = pickFault(request);
    request.fault = fault;

    if (fault?.delayMs && !(await wait(fault.delayMs, res))) return;

    const contentType = url.pathname.endsWith('/oai2') ? 'text/xml; charset=utf-8' : 'application/atom+xml; charset=utf-8';
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      request.status = status;
      const extra: Record<string, string> = { ...headers, ...(fault?.headers ?? {}) };
      if (fault?.retryAfter !== undefined) extra['Retry-After'] = String(fault.retryAfter);
      const bytes = Buffer.from(body, 'utf8');
      if (fault?.destroy) {
        res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': bytes.length, ...extra });
        res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.destroy());
        return;
      }
      const cut = fault?.truncate === true ? Math.floor(bytes.length / 2) : typeof fault?.truncate === 'number' ? fault.truncate : bytes.length;
      const sent = bytes.subarray(0, cut);
      res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': sent.length, ...extra });
      res.end(sent);
    };

    if (fault?.status !== undefined && fault.body === undefined && fault.status !== 200) {
      send(fault.status, `fault injected: HTTP ${fault.status}\n`, { 'Content-Type': 'text/plain; charset=utf-8' });
      return;
    }
    if (fault?.body !== undefined) {
      send(fault.status ?? 200, fault.body);
      return;
    }

    let base: { status: number; body: string; fixture: string | null; headers?: Record<string, string> } | null = null;
    const custom = options.handler?.(request);
    if (custom) {
      base = { status: custom.status ?? 200, body: custom.body, fixture: null, headers: custom.headers };
    } else {
      const table = url.pathname.endsWith('/oai2') ? oai : url.pathname.endsWith('/api/query') ? atom : null;
      const key = table === atom ? atomKey(request.query) : table === oai ? oaiKey(request.query) : null;
      const file = fault?.fixture ? findFixture(fault.fixture, atom, oai) : key && table ? table.get(key) : undefined;
      if (file) {
        const dir = file.dir;
        const body = readFileSync(dir + file.name, 'utf8');
        // arXiv serves its error feed with HTTP 400.
        const status = /_id_abc_/.test(file.name) ? 400 : 200;
        base = { status, body, fixture: file.name };
      }
    }
    if (!base) {
      send(404, `replay server: no recording for ${url.pathname}${url.search}\n`, { 'Content-Type': 'text/plain; charset=utf-8' });
      return;
    }
    request.fixture = base.fixture;
    let body = base.body;
    if (fault?.empty) body = body.replace(/<entry>[\s\S]*?<\/entry>\s*/g, '').replace(/<record>[\s\S]*?<\/record>\s*/g, '');
    if (fault?.totalResults !== undefined) {
      body = body.replace(/(<opensearch:totalResults[^>]*>)\s*\d+\s*(<)/, `$1${fault.totalResults}$2`);
    }
    send(fault?.status ?? base.status, body, base.headers);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // A broken test setup (say, an ambiguous `fixture`) must show up as a loud 500, not a hang.
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`replay server error: ${(err as Error)?.stack ?? String(err)}\n`);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  if (options.warmUp) {
    await fetch(`${base}${WARM_UP_PATH}`).then((r) => r.text());
  }

  let closing: Promise<void> | null = null;
  const recordings = new Map<string, string>();
  for (const [k, v] of atom) recordings.set(`atom ${k}`, v.name);
  for (const [k, v] of oai) recordings.set(`oai ${k}`, v.name);

  return {
    url: base,
    atomUrl: `${base}/api/query`,
    oaiUrl: `${base}/oai2`,
    requests,
    recordings,
    setFaults(faults) {
      script = [...faults];
    },
    addRule(rule) {
      rules.push({ ...rule, used: 0 });
    },
    reset() {
      requests.length = 0;
      script = [];
      rules = [];
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        // Keep-alive sockets of the client would hold close() open.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** Time between consecutive arrivals, in ms. */
export function arrivalGaps(requests: readonly RecordedRequest[]): number[] {
  return requests.slice(1).map((r, i) => r.at - requests[i]!.at);
}

/** Wraps a rate gate to record the time of every turn it grants (the gate's own clock). */
export function recordingGate<G extends { acquire(signal?: AbortSignal): Promise<number> }>(gate: G, grants: number[]): G {
  return {
    ...gate,
    acquire: async (signal?: AbortSignal) => {
      const at = await gate.acquire(signal);
      grants.push(at);
      return at;
    },
  } as G;
}

/** The text of a recording in `tests/fixtures/atom/`, by file name or a unique part of it. */
export function readAtomFixture(namePart: string): string {
  const names = readdirSync(ATOM_FIXTURES_DIR).filter((n) => n.endsWith('.xml') && n.includes(namePart));
  if (names.length !== 1) throw new Error(`${names.length} Atom fixtures match ${JSON.stringify(namePart)}`);
  return readFileSync(ATOM_FIXTURES_DIR + names[0], 'utf8');
}

/** Fields of a synthetic Atom entry; everything but `id` has a plausible default. */
export interface SyntheticEntry {
  /** With or without version: `2401.00001v2`. */
  id: string;
  title?: string;
  abstract?: string;
  authors?: { name: string; affiliations?: string[] }[];
  primaryCategory?: string;
  categories?: string[];
  published?: string;
  updated?: string;
}

/** One `<entry>` in the current arXiv format. */
export function renderAtomEntry(entry: SyntheticEntry): string {
  const id = /v\d+$/.test(entry.id) ? entry.id : `${entry.id}v1`;
  const primary = entry.primaryCategory ?? entry.categories?.[0] ?? 'cs.LG';
  const categories = entry.categories ?? [primary];
  const published = entry.published ?? '2024-01-02T10:00:00Z';
  const authors = entry.authors ?? [{ name: 'Ada Lovelace' }];
  return [
    '  <entry>',
    `    <id>http://arxiv.org/abs/${id}</id>`,
    `    <title>${xmlEscape(entry.title ?? `Synthetic paper ${entry.id}`)}</title>`,
    `    <updated>${entry.updated ?? published}</updated>`,
    `    <link href="https://arxiv.org/abs/${id}" rel="alternate" type="text/html"/>`,
    `    <summary>${xmlEscape(entry.abstract ?? `An abstract for ${entry.id}, long enough to be a plausible abstract of a paper.`)}</summary>`,
    ...categories.map((c) => `    <category term="${c}" scheme="http://arxiv.org/schemas/atom"/>`),
    `    <published>${published}</published>`,
    `    <arxiv:primary_category term="${primary}"/>`,
    ...authors.map(
      (a) =>
        `    <author>\n      <name>${xmlEscape(a.name)}</name>\n${(a.affiliations ?? [])
          .map((x) => `      <arxiv:affiliation>${xmlEscape(x)}</arxiv:affiliation>\n`)
          .join('')}    </author>`,
    ),
    '  </entry>',
  ].join('\n');
}

/** A whole feed in the current arXiv format, around entries from {@link renderAtomEntry}. */
export function renderAtomFeed(feed: { totalResults: number; startIndex: number; itemsPerPage: number; entries?: string[] }): string {
  return [
    "<?xml version='1.0' encoding='UTF-8'?>",
    '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">',
    '  <id>https://arxiv.org/api/synthetic</id>',
    '  <title>arXiv Query: synthetic</title>',
    '  <updated>2024-01-03T00:00:00Z</updated>',
    `  <opensearch:itemsPerPage>${feed.itemsPerPage}</opensearch:itemsPerPage>`,
    `  <opensearch:totalResults>${feed.totalResults}</opensearch:totalResults>`,
    `  <opensearch:startIndex>${feed.startIndex}</opensearch:startIndex>`,
    ...(feed.entries ?? []),
    '</feed>',
    '',
  ].join('\n');
}

// --- recordings --------------------------------------------------------------------------------

interface Recording {
  dir: string;
  name: string;
}

/** The lookup key of an Atom request: what selects a page, sorting aside. */
function atomKey(q: Record<string, string | undefined>): string {
  const search = (q.search_query ?? '').replace(/\s+/g, ' ').trim();
  return `${search}|${q.id_list ?? ''}|${q.start ?? '0'}|${q.max_results ?? '10'}`;
}

function oaiKey(q: Record<string, string | undefined>): string {
  return ['verb', 'metadataPrefix', 'from', 'until', 'set', 'resumptionToken']
    .filter((k) => q[k] !== undefined)
    .map((k) => `${k}=${q[k]}`)
    .join('&');
}

function loadAtomRecordings(dir: string): Map<string, Recording> {
  const table = new Map<string, Recording>();
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.xml')).sort()) {
    const xml = readFileSync(dir + name, 'utf8');
    // Every recording's feed title repeats its query ("arXiv Query: search_query=...&id_list=...&start=0&max_results=10").
    const title = /<title[^>]*>\s*arXiv Query:\s*([^<]*)<\/title>/i.exec(xml)?.[1];
    let key: string | null = null;
    if (title) {
      const params: Record<string, string> = {};
      for (const part of xmlUnescape(title).split('&')) {
        const eq = part.indexOf('=');
        if (eq > 0) params[part.slice(0, eq)] = part.slice(eq + 1);
      }
      key = atomKey(params);
    } else {
      // The error feed has a generic title: read the query from the file name (id_<ids>_s<start>_m<max>_<hash>).
      const m = /_id_(.+)_s(\d+)_m(\d+)_[0-9a-f]+\.xml$/.exec(name);
      if (m) key = atomKey({ id_list: m[1]!.replace(/([a-z-]+)_(\d{7})/g, '$1/$2').replace(/_/g, ','), start: m[2]!, max_results: m[3]! });
    }
    if (key) table.set(key, { dir, name });
  }
  return table;
}

function loadOaiRecordings(dir: string): Map<string, Recording> {
  const table = new Map<string, Recording>();
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.xml')).sort();
  } catch {
    return table;
  }
  for (const name of names) {
    const xml = readFileSync(dir + name, 'utf8');
    // OAI-PMH echoes the request's arguments as attributes of <request>.
    const attrs = /<request\s([^>]*)>/.exec(xml)?.[1];
    if (!attrs) continue;
    const params: Record<string, string> = {};
    for (const m of attrs.matchAll(/([A-Za-z]+)="([^"]*)"/g)) params[m[1]!] = xmlUnescape(m[2]!);
    table.set(oaiKey(params), { dir, name });
  }
  return table;
}

function findFixture(part: string, ...tables: Map<string, Recording>[]): Recording | undefined {
  const all = tables.flatMap((t) => [...t.values()]);
  const exact = all.find((r) => r.name === part);
  if (exact) return exact;
  const found = all.filter((r) => r.name.includes(part));
  if (found.length !== 1) throw new Error(`${found.length} fixtures match ${JSON.stringify(part)}`);
  return found[0];
}

function matches(match: FaultRule['match'], request: RecordedRequest): boolean {
  if (typeof match === 'function') return match(request);
  return Object.entries(match).every(([k, v]) => request.query[k] === v);
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function xmlUnescape(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}
