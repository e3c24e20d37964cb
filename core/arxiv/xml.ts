import { XMLParser, XMLValidator, type X2jOptions } from 'fast-xml-parser';
import { MalformedFeedError } from './errors.ts';

/** Namespace URIs of the formats this layer reads. */
export const NS = Object.freeze({
  atom: 'http://www.w3.org/2005/Atom',
  opensearch: 'http://a9.com/-/spec/opensearch/1.1/',
  arxiv: 'http://arxiv.org/schemas/atom',
  oai: 'http://www.openarchives.org/OAI/2.0/',
  oaiArxiv: 'http://arxiv.org/OAI/arXiv/',
});

/**
 * One XML element with its namespace resolved. Matching on (namespace URI, local name) rather
 * than on prefixes is what lets one parser read both Atom formats: the current one declares
 * `xmlns:arxiv` once on `<feed>`, the classic one repeats it on every element.
 */
export interface XmlElement {
  /** Namespace URI, or null for an element in no namespace. */
  ns: string | null;
  /** Local name, without prefix. */
  name: string;
  /** Attributes by their name as written, minus namespace declarations. */
  attrs: Record<string, string>;
  /** Child nodes in document order: elements and text runs. */
  children: (XmlElement | string)[];
}

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const parserOptions: X2jOptions = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // Strings only: an arXiv id like 1707.08567 or a title like "0" must not become a number.
  parseTagValue: false,
  parseAttributeValue: false,
  // Kept so that text around CDATA or inline elements is not glued together; callers normalise.
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // The object form keeps the named entities to XML's own five while turning on numeric character
  // references (&#233;), which the parser otherwise leaves undecoded. The typings only admit a
  // boolean, hence the cast.
  htmlEntities: { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as unknown as boolean,
};

/**
 * Parses a complete XML document into a namespace-resolved element tree.
 *
 * @throws MalformedFeedError (retryable) when the text is not well-formed XML, which is how a
 *   truncated response shows up: fast-xml-parser alone accepts unclosed elements silently.
 */
export function parseXml(xml: string): XmlElement {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new MalformedFeedError(`not well-formed XML (line ${line}, column ${col ?? '?'}): ${msg}`, true, excerpt(xml));
  }
  let nodes: OrderedNode[];
  try {
    nodes = new XMLParser(parserOptions).parse(xml) as OrderedNode[];
  } catch (cause) {
    throw new MalformedFeedError(`XML could not be parsed: ${(cause as Error).message}`, true, excerpt(xml), { cause });
  }
  const roots = nodes.map((node) => toElement(node, new Map())).filter((n): n is XmlElement => typeof n !== 'string');
  const root = roots[0];
  if (!root) throw new MalformedFeedError('document has no root element', true, excerpt(xml));
  return root;
}

function toElement(node: OrderedNode, scope: ReadonlyMap<string, string>): XmlElement | string {
  const tag = Object.keys(node).find((k) => k !== ':@');
  if (tag === undefined) return '';
  if (tag === '#text') return String(node[tag] ?? '');
  const rawAttrs = node[':@'] ?? {};
  let inner = scope;
  const attrs: Record<string, string> = {};
  for (const [key, value] of Object.entries(rawAttrs)) {
    if (key === 'xmlns' || key.startsWith('xmlns:')) {
      if (inner === scope) inner = new Map(scope);
      (inner as Map<string, string>).set(key === 'xmlns' ? '' : key.slice(6), String(value));
    } else {
      attrs[key] = String(value);
    }
  }
  const colon = tag.indexOf(':');
  const prefix = colon === -1 ? '' : tag.slice(0, colon);
  const name = colon === -1 ? tag : tag.slice(colon + 1);
  const kids = Array.isArray(node[tag]) ? (node[tag] as OrderedNode[]) : [];
  return {
    ns: inner.get(prefix) || null,
    name,
    attrs,
    children: kids.map((kid) => toElement(kid, inner)),
  };
}

/** Child elements with the given namespace and local name, in document order. */
export function children(el: XmlElement, ns: string | null, name: string): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== 'string' && c.ns === ns && c.name === name);
}

/** The first child element with the given namespace and local name. */
export function child(el: XmlElement, ns: string | null, name: string): XmlElement | undefined {
  return el.children.find((c): c is XmlElement => typeof c !== 'string' && c.ns === ns && c.name === name);
}

/** All text inside the element, descendants included, exactly as written (entities decoded). */
export function textContent(el: XmlElement): string {
  return el.children.map((c) => (typeof c === 'string' ? c : textContent(c))).join('');
}

/** Text of the first matching child, or null when there is no such child. */
export function childText(el: XmlElement, ns: string | null, name: string): string | null {
  const found = child(el, ns, name);
  return found ? textContent(found) : null;
}

/** The first 200 characters of a body, for error messages and logs. */
export function excerpt(text: string, length = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length)}…` : flat;
}
