/**
 * Text normalisation for arXiv titles and abstracts: the text arrives as the authors typed it,
 * with LaTeX markup, inline maths, TeX accents, hard line breaks (sometimes hyphenated), URLs and
 * Unicode ligatures. Everything downstream (tokeniser, vocabulary) assumes the output of
 * {@link normalizeText}: lowercase ASCII, where letters and digits form words.
 */

// URLs and e-mail-like strings carry no topical signal and would otherwise become many junk tokens.
const URL_RE = /\b(?:https?:\/\/|ftp:\/\/|www\.)\S+/gi;
const EMAIL_RE = /\b[\w.+-]+@[\w-]+\.[\w.-]+/g;

// A word split over a hard line break ("simu-\n lation") is joined back. A hyphen that stays on one
// line ("state-of-the-art") is a compound and is split by the tokeniser instead.
const LINEBREAK_HYPHEN_RE = /([A-Za-z])-[ \t]*\r?\n[ \t]*([a-z])/g;

// TeX accents: \'e, \"{o}, {\"o}, \c{c}, \v{s}, \H{o}. Symbol accents may omit the braces; letter
// accents (\c, \v, \u, \H, \k, \r, \d, \b) need them, otherwise `\vec` would lose its `v`.
const SYMBOL_ACCENT_RE = /\{?\\[`'^"~=.]\s*(?:\{\s*([A-Za-z])\s*\}|([A-Za-z]))\}?/g;
const LETTER_ACCENT_RE = /\{?\\[cvuHkrdb]\{\s*([A-Za-z])\s*\}\}?/g;
// Special letters written as commands (\ss, \o, \ae, \l, \i) when followed by a non-letter.
const SPECIAL_LETTER_RE = /\\(ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)(?![A-Za-z])\s*/g;

// Formatting commands name no concept: their argument is kept, their name dropped.
const FORMATTING_COMMANDS = new Set([
  'mathrm', 'mathbf', 'mathit', 'mathsf', 'mathtt', 'mathcal', 'mathbb', 'mathfrak', 'mathscr',
  'boldsymbol', 'bm', 'rm', 'bf', 'it', 'em', 'sf', 'tt', 'cal', 'emph', 'textit', 'textbf',
  'textrm', 'textsf', 'texttt', 'text', 'mbox', 'hbox', 'operatorname', 'left', 'right', 'big',
  'Big', 'bigg', 'Bigg', 'cite', 'ref', 'label', 'url', 'href', 'footnote', 'displaystyle',
  'textstyle', 'scriptstyle', 'limits', 'nolimits', 'quad', 'qquad', 'noindent', 'newline',
]);
const COMMAND_RE = /\\([A-Za-z]+)/g;
// Combining marks left by NFKD decomposition (é -> e + U+0301).
const COMBINING_MARKS_RE = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;

/**
 * Removes and rewrites markup, keeping case: URLs and e-mail addresses are removed, words
 * hyphenated across a line break are joined, TeX accents are folded to their base letter, LaTeX
 * commands become their name as a word (`$\alpha$` gives ` alpha `) except formatting commands,
 * whose name is dropped. This is the part of {@link normalizeText} that needs regular expressions;
 * the word scanner does the per-character rest (case and Unicode folding) in its single pass.
 * Pure, never throws.
 */
export function cleanMarkup(text: string): string {
  let s = text;
  // Each rewrite is gated by a cheap substring test: most abstracts need none of them.
  if (s.includes('://') || s.includes('www.')) s = s.replace(URL_RE, ' ');
  if (s.includes('@')) s = s.replace(EMAIL_RE, ' ');
  if (s.includes('-\n') || s.includes('- \n') || s.includes('-\r\n')) s = s.replace(LINEBREAK_HYPHEN_RE, '$1$2');
  if (s.includes('\\')) {
    s = s
      .replace(SYMBOL_ACCENT_RE, '$1$2')
      .replace(LETTER_ACCENT_RE, '$1')
      .replace(SPECIAL_LETTER_RE, (_m, letter: string) => SPECIAL_LETTERS[letter] ?? letter)
      .replace(COMMAND_RE, (_m, name: string) => (FORMATTING_COMMANDS.has(name) ? ' ' : ` ${name} `));
  }
  return s;
}

/**
 * Normalises one title or abstract: {@link cleanMarkup}, then every character through
 * {@link foldChar} (ASCII lowercased). The analyzer produces exactly the tokens of
 * `tokenizeWords(normalizeText(text))` without building this string; this function is the
 * readable definition (and what tests and debugging use).
 *
 * Guarantees: the result is lowercase ASCII; Schrödinger, Schr\"odinger and Schr\"{o}dinger all
 * give `schrodinger`; ligatures are expanded (`ﬁ` gives `fi`); Greek letters become their names
 * (`α` gives ` alpha `, as `$\alpha$` does). Maths delimiters and other ASCII punctuation stay:
 * the tokeniser treats every character outside `[a-z0-9]` as a separator. Pure, never throws.
 */
export function normalizeText(text: string): string {
  const s = cleanMarkup(text);
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 128) continue;
    out += s.slice(from, i).toLowerCase() + foldChar(c);
    from = i + 1;
  }
  return out + s.slice(from).toLowerCase();
}

const FOLD_CACHE = new Map<number, string>();

/**
 * The ASCII replacement of one non-ASCII UTF-16 code unit: lowercase letters and digits, with
 * spaces where the character separates words. Diacritics are dropped (é gives e, a lone combining
 * mark gives the empty string so that `e` + U+0301 stays one word), compatibility forms are
 * expanded (ﬁ gives fi, ² gives 2), Greek letters give their names between spaces, anything else
 * (other scripts, maths symbols, dashes, surrogate halves) gives a space.
 */
export function foldChar(code: number): string {
  let f = FOLD_CACHE.get(code);
  if (f === undefined) {
    const ch = String.fromCharCode(code);
    const lower = ch.toLowerCase();
    const greek = GREEK_NAMES[lower];
    if (greek) f = ` ${greek} `;
    else {
      const decomposed = lower.normalize('NFKD').replace(COMBINING_MARKS_RE, '');
      f = UNDECOMPOSABLE[lower] ?? (decomposed.length === 0 ? '' : decomposed.toLowerCase().replace(/[^a-z0-9]/g, ' '));
    }
    FOLD_CACHE.set(code, f);
  }
  return f;
}

// Unicode Greek as the LaTeX names authors write for the same letters (final sigma included).
const GREEK_NAMES: Record<string, string> = {
  'α': 'alpha', 'β': 'beta', 'γ': 'gamma', 'δ': 'delta', 'ε': 'epsilon', 'ζ': 'zeta', 'η': 'eta',
  'θ': 'theta', 'ι': 'iota', 'κ': 'kappa', 'λ': 'lambda', 'μ': 'mu', 'ν': 'nu', 'ξ': 'xi',
  'ο': 'omicron', 'π': 'pi', 'ρ': 'rho', 'σ': 'sigma', 'ς': 'sigma', 'τ': 'tau', 'υ': 'upsilon',
  'φ': 'phi', 'ϕ': 'phi', 'χ': 'chi', 'ψ': 'psi', 'ω': 'omega', 'ϵ': 'epsilon', 'ϑ': 'theta',
  'µ': 'mu',
};

// Latin letters that Unicode does not decompose into base letter + mark.
const UNDECOMPOSABLE: Record<string, string> = {
  'ß': 'ss', 'ø': 'o', 'æ': 'ae', 'œ': 'oe', 'ł': 'l', 'đ': 'd', 'ð': 'd', 'þ': 'th', 'ı': 'i', 'ħ': 'h',
};

const SPECIAL_LETTERS: Record<string, string> = {
  ss: 'ss', ae: 'ae', AE: 'ae', oe: 'oe', OE: 'oe', aa: 'a', AA: 'a', o: 'o', O: 'o', l: 'l', L: 'l', i: 'i', j: 'j',
};
