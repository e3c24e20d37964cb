/**
 * A port of natural 8.1.1's Porter stemmer (`natural/lib/natural/stemmers/porter_stemmer.js`)
 * that gives the same stem for every input but runs without regular expressions.
 *
 * Why: natural's stemmer computes Porter's "measure" with three regex replacements and is called
 * once per distinct word; on the fine20 training set (30k distinct words) it took 0.3-0.65 s of a
 * fit budget of about 2 s (`npx tsx bench/text.ts`). This port runs the same steps with char loops
 * and slices, 5-7x faster. It deliberately keeps natural's quirks rather than the canonical
 * algorithm (e.g. step 2 applies every matching rule in turn, the measure can be fractional), so
 * that stems equal natural's; tests/text/porter-stemmer.test.ts checks that on real abstracts,
 * bench/text.ts on its corpus (0 differences on all 76,848 distinct words of the shared data).
 */

function isAeiou(c: number): boolean {
  return c === 97 || c === 101 || c === 105 || c === 111 || c === 117;
}

function isAeiouy(c: number): boolean {
  return isAeiou(c) || c === 121;
}

// Result of the last groupScan (module state instead of an object per call: this is hot).
let groupCount = 0;
let firstIsC = false;
let lastIsV = false;
let vBeforeLast = false;

/**
 * Scans natural's categorizeGroups string without building it. That string is
 * `/[^aeiouy]+y/g -> 'CV'`, then `/[aeiou]+/g -> 'V'`, then `/[^V]+/g -> 'C'`; note that a 'V'
 * produced by the first rule is not merged with a following vowel run (so "CVV" can occur).
 */
function groupScan(t: string): void {
  groupCount = 0;
  firstIsC = false;
  lastIsV = false;
  vBeforeLast = false;
  let last = 0; // 0 none, 1 C, 2 vowel-run V, 3 inserted V
  const n = t.length;
  let i = 0;
  while (i < n) {
    const c = t.charCodeAt(i);
    if (!isAeiouy(c)) {
      let j = i;
      while (j < n && !isAeiouy(t.charCodeAt(j))) j++;
      if (last !== 1) emit(false);
      if (j < n && t.charCodeAt(j) === 121) {
        emit(true);
        last = 3;
        i = j + 1;
      } else {
        last = 1;
        i = j;
      }
    } else if (c === 121) {
      // a 'y' the first rule did not consume is neither [aeiou] nor 'V': part of a C run
      if (last !== 1) emit(false);
      last = 1;
      i++;
    } else {
      if (last !== 2) emit(true);
      last = 2;
      i++;
    }
  }
}

function emit(isV: boolean): void {
  if (groupCount === 0) firstIsC = !isV;
  else if (lastIsV) vBeforeLast = true;
  lastIsV = isV;
  groupCount++;
}

/** natural's categorizeChars: `/[^aeiouy]y/g -> 'CV'`, then each vowel 'V', everything else 'C'. */
function categorizeChars(t: string): string {
  let out = '';
  const n = t.length;
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i);
    if (!isAeiouy(c) && i + 1 < n && t.charCodeAt(i + 1) === 121) {
      out += 'CV';
      i++;
    } else out += isAeiou(c) ? 'V' : 'C';
  }
  return out;
}

/** natural's measure: -1 for an empty or missing token; may be fractional. */
function measure(t: string | null): number {
  if (!t) return -1;
  groupScan(t);
  // Strip one leading C, then one trailing V (a single group is stripped at most once).
  let len = groupCount;
  if (firstIsC) len--;
  if (len > 0 && lastIsV) len--;
  return len / 2;
}

function endsWithDoubleConsonant(t: string): boolean {
  const n = t.length;
  if (n < 2) return false;
  const c = t.charCodeAt(n - 1);
  return c === t.charCodeAt(n - 2) && !isAeiou(c);
}

/** natural's attemptReplace for a plain-suffix pattern: null when `t` does not end with it. */
function replaceSuffix(t: string, suffix: string, replacement: string): string | null {
  return t.endsWith(suffix) ? t.slice(0, t.length - suffix.length) + replacement : null;
}

type Rule = readonly [suffix: string, replacement: string];

/** Rules grouped by the last char code of their suffix, keeping their order (a fast pre-filter). */
type RuleIndex = ReadonlyMap<number, readonly Rule[]>;

function indexRules(rules: readonly Rule[]): RuleIndex {
  const index = new Map<number, Rule[]>();
  for (const rule of rules) {
    const last = rule[0].charCodeAt(rule[0].length - 1);
    const list = index.get(last);
    if (list) list.push(rule);
    else index.set(last, [rule]);
  }
  return index;
}

/**
 * natural's attemptReplacePatterns + replacePatterns with a measure threshold: every rule whose
 * suffix, removed from the ORIGINAL token, leaves a measure above the threshold is applied in turn
 * to the CURRENT result (a rule whose suffix the original lacks has measure(null) = -1: skipped).
 */
function replacePatterns(t: string, rules: RuleIndex, threshold: number): string {
  const candidates = rules.get(t.charCodeAt(t.length - 1));
  if (!candidates) return t;
  let current = t;
  for (const [suffix, replacement] of candidates) {
    if (t.endsWith(suffix) && measure(t.slice(0, t.length - suffix.length)) > threshold) {
      current = replaceSuffix(current, suffix, replacement) || current;
    }
  }
  return current || t;
}

function step1a(t: string): string {
  if (t.endsWith('sses')) return t.slice(0, -2);
  if (t.endsWith('ies')) return t.slice(0, -2);
  if (t.endsWith('s') && t.charAt(t.length - 2) !== 's' && t.length > 2) return t.slice(0, -1);
  return t;
}


function step1b(t: string): string {
  if (t.endsWith('eed')) {
    return measure(t.slice(0, -3)) > 0 ? t.slice(0, -1) : t;
  }
  const stem = t.endsWith('ed') ? t.slice(0, -2) : t.endsWith('ing') ? t.slice(0, -3) : null;
  if (!stem) return t;
  groupScan(stem);
  if (!lastIsV && !vBeforeLast) return t;
  // natural applies at->ate, bl->ble, iz->ize in turn without a measure condition; at most one
  // can match since each result ends in 'e'.
  if (stem.endsWith('at')) return stem + 'e';
  if (stem.endsWith('bl')) return stem + 'e';
  if (stem.endsWith('iz')) return stem + 'e';
  const last = stem.charCodeAt(stem.length - 1);
  if (endsWithDoubleConsonant(stem) && last !== 108 && last !== 115 && last !== 122) return stem.slice(0, -1);
  if (measure(stem) === 1 && categorizeChars(stem).endsWith('CVC') && last !== 119 && last !== 120 && last !== 121) return stem + 'e';
  return stem;
}

function step1c(t: string): string {
  if (!t.endsWith('y')) return t;
  groupScan(t);
  return vBeforeLast ? t.slice(0, -1) + 'i' : t;
}

const STEP2_RULES = indexRules([
  ['ational', 'ate'], ['tional', 'tion'], ['enci', 'ence'], ['anci', 'ance'], ['izer', 'ize'], ['abli', 'able'],
  ['bli', 'ble'], ['alli', 'al'], ['entli', 'ent'], ['eli', 'e'], ['ousli', 'ous'], ['ization', 'ize'], ['ation', 'ate'],
  ['ator', 'ate'], ['alism', 'al'], ['iveness', 'ive'], ['fulness', 'ful'], ['ousness', 'ous'], ['aliti', 'al'],
  ['iviti', 'ive'], ['biliti', 'ble'], ['logi', 'log'],
]);

const STEP3_RULES = indexRules([
  ['icate', 'ic'], ['ative', ''], ['alize', 'al'], ['iciti', 'ic'], ['ical', 'ic'], ['ful', ''], ['ness', ''],
]);

// natural's step 4 regex `^(.+?)(al|ance|...)$`: the lazy prefix makes the LONGEST listed suffix
// that leaves a non-empty prefix win. Listed longest first so the first match is that one.
const STEP4_SUFFIXES = ['ement', 'ance', 'ence', 'able', 'ible', 'ment', 'ant', 'ent', 'ism', 'ate', 'iti', 'ous', 'ive', 'ize', 'al', 'er', 'ic', 'ou'];

function step4(t: string): string {
  for (const suffix of STEP4_SUFFIXES) {
    if (t.length > suffix.length && t.endsWith(suffix)) {
      const prefix = t.slice(0, t.length - suffix.length);
      if (measure(prefix) > 1) return prefix;
      // The regex matched with this suffix, and the alternative regex below is tried next.
      break;
    }
  }
  // `^(.+?)(s|t)(ion)$` keeps prefix + s/t when its measure exceeds 1.
  if (t.length > 4 && t.endsWith('ion')) {
    const st = t.charCodeAt(t.length - 4);
    if (st === 115 || st === 116) {
      const kept = t.slice(0, -3);
      if (measure(kept) > 1) return kept;
    }
  }
  return t;
}

function step5a(t: string): string {
  if (!t.endsWith('e')) return t;
  const without = t.slice(0, -1);
  const m = measure(without);
  if (m > 1) return without;
  if (m === 1) {
    const chars = categorizeChars(t);
    const start = Math.max(0, chars.length - 4);
    const cvc = chars.substr(start, 3) === 'CVC';
    const beforeLast = t.length >= 2 ? t.charCodeAt(t.length - 2) : -1;
    const notWxy = beforeLast >= 0 && beforeLast !== 119 && beforeLast !== 120 && beforeLast !== 121;
    if (!(cvc && notWxy)) return without;
  }
  return t;
}

function step5b(t: string): string {
  return t.endsWith('ll') && measure(t) > 1 ? t.slice(0, -1) : t;
}

/** Porter stem of one lowercase word, identical to natural's `PorterStemmer.stem`. */
export function porterStem(word: string): string {
  if (word.length < 3) return word;
  return step5b(step5a(step4(replacePatterns(replacePatterns(step1c(step1b(step1a(word.toLowerCase()))), STEP2_RULES, 0), STEP3_RULES, 0))));
}
