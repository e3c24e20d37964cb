/**
 * Binary model artifact. Layout (all integers little-endian):
 *
 *   0   8 bytes  magic "ARXRADML"
 *   8   u16      format version (1)
 *   10  u16      flags (0)
 *   12  u32      header length H in bytes
 *   16  32 bytes sha256 of bytes [48, end)
 *   48  H bytes  header: UTF-8 JSON (kind, labels, params, link, section lengths)
 *   ..  sections, each starting on a 4-byte boundary: vocabulary terms (UTF-8, '\n'-separated),
 *       n-gram trie (gramParent, gramTerm, gramCol: int32), idf (float32),
 *       weights (float32, feature-major: w[f * K + k]), bias (float32)
 *
 * Numbers are raw typed-array bytes, not JSON: a 100k-feature, 20-class model is ~8 MB instead of
 * ~40 MB of text, and loads with a few `slice` copies. Writers are deterministic (fixed key order,
 * no timestamps), so the same model gives the same bytes.
 */
import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import type { TfidfState } from '../text/tfidf.ts';
import { ModelFormatError } from './errors/model-format-error.ts';
import type { Link } from './link.ts';
import type { ParamValue } from './types.ts';

export const MAGIC = 'ARXRADML';
export const FORMAT_VERSION = 1;
const PREAMBLE = 48;

/** Everything a linear text classifier consists of. */
export interface ModelParts {
  kind: string;
  labels: string[];
  params: Record<string, ParamValue>;
  link: Link;
  vocabulary: TfidfState;
  /** Feature-major weights: `weights[f * labels.length + k]`. */
  weights: Float32Array;
  bias: Float32Array;
}

interface Header {
  kind: string;
  labels: string[];
  params: Record<string, ParamValue>;
  link: Link;
  tfidf: TfidfState['config'];
  lengths: { termsBytes: number; grams: number; cols: number; classes: number };
}

if (endianness() !== 'LE') {
  // Typed arrays use the platform's byte order; every platform we run on is little-endian.
  throw new Error('model artifacts require a little-endian platform');
}

/** Encodes a model; deterministic for equal parts. */
export function encodeModel(parts: ModelParts): Uint8Array {
  const v = parts.vocabulary;
  const K = parts.labels.length;
  const terms = Buffer.from(v.terms.join('\n'), 'utf8');
  const header: Header = {
    kind: parts.kind,
    labels: parts.labels,
    params: parts.params,
    link: parts.link,
    tfidf: v.config,
    lengths: { termsBytes: terms.length, grams: v.gramParent.length, cols: v.idf.length, classes: K },
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const sections: Uint8Array[] = [
    terms,
    bytesOf(v.gramParent), bytesOf(v.gramTerm), bytesOf(v.gramCol), bytesOf(v.idf),
    bytesOf(parts.weights), bytesOf(parts.bias),
  ];
  let size = pad4(PREAMBLE + headerBytes.length);
  for (const s of sections) size += pad4(s.length);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(Buffer.from(MAGIC, 'ascii'), 0);
  view.setUint16(8, FORMAT_VERSION, true);
  view.setUint16(10, 0, true);
  view.setUint32(12, headerBytes.length, true);
  out.set(headerBytes, PREAMBLE);
  let offset = pad4(PREAMBLE + headerBytes.length);
  for (const s of sections) {
    out.set(s, offset);
    offset += pad4(s.length);
  }
  out.set(createHash('sha256').update(out.subarray(PREAMBLE)).digest(), 16);
  return out;
}

/**
 * Decodes and verifies an artifact.
 * @throws ModelFormatError on wrong magic, unsupported version, checksum mismatch, truncation or
 * an inconsistent header.
 */
export function decodeModel(bytes: Uint8Array): ModelParts {
  if (bytes.length < PREAMBLE) throw new ModelFormatError(`artifact too short (${bytes.length} bytes)`);
  const magic = Buffer.from(bytes.subarray(0, 8)).toString('latin1');
  if (magic !== MAGIC) throw new ModelFormatError(`not a model artifact (magic ${JSON.stringify(magic)})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(8, true);
  if (version !== FORMAT_VERSION) {
    throw new ModelFormatError(`unsupported artifact format version ${version} (this build reads ${FORMAT_VERSION})`);
  }
  const digest = createHash('sha256').update(bytes.subarray(PREAMBLE)).digest();
  if (!digest.equals(bytes.subarray(16, PREAMBLE))) throw new ModelFormatError('artifact checksum mismatch (corrupted or truncated)');
  const headerLength = view.getUint32(12, true);
  let header: Header;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(PREAMBLE, PREAMBLE + headerLength)).toString('utf8')) as Header;
  } catch (err) {
    throw new ModelFormatError(`artifact header is not valid JSON: ${(err as Error).message}`);
  }
  const { termsBytes, grams, cols, classes } = header.lengths ?? {};
  if (![termsBytes, grams, cols, classes].every((n) => Number.isInteger(n) && (n as number) >= 0) || header.labels?.length !== classes) {
    throw new ModelFormatError('artifact header has inconsistent section lengths');
  }
  let offset = pad4(PREAMBLE + headerLength);
  const take = (length: number): Uint8Array => {
    if (offset + length > bytes.length) throw new ModelFormatError('artifact is truncated');
    const s = bytes.subarray(offset, offset + length);
    offset += pad4(length);
    return s;
  };
  const termsText = Buffer.from(take(termsBytes)).toString('utf8');
  const terms = termsBytes === 0 ? [] : termsText.split('\n');
  const gramParent = int32s(take(grams * 4));
  const gramTerm = int32s(take(grams * 4));
  const gramCol = int32s(take(grams * 4));
  const idf = float32s(take(cols * 4));
  const weights = float32s(take(cols * classes * 4));
  const bias = float32s(take(classes * 4));
  return {
    kind: header.kind,
    labels: header.labels,
    params: header.params,
    link: header.link,
    vocabulary: { config: header.tfidf, terms, gramParent, gramTerm, gramCol, idf },
    weights,
    bias,
  };
}

function bytesOf(a: Int32Array | Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

// Copies (slice) rather than views: the input may not be 4-byte aligned, and a copy lets the
// caller's buffer be released.
function int32s(b: Uint8Array): Int32Array {
  return new Int32Array(b.slice().buffer);
}

function float32s(b: Uint8Array): Float32Array {
  return new Float32Array(b.slice().buffer);
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}
