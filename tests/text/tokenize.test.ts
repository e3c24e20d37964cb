import { describe, expect, it } from 'vitest';
import { Analyzer, STOP } from '../../core/text/analyzer.ts';
import { normalizeText } from '../../core/text/normalize.ts';
import { ENGLISH_STOP_WORDS, tokenizeWords } from '../../core/text/tokenize.ts';
import { porterStem } from '../../core/text/porter-stemmer.ts';
import { loadArchives5Small } from '../ml/fixture.ts';

const { train } = loadArchives5Small();

describe('tokenizeWords', () => {
  it('keeps runs of letters and digits with a letter, at least two long', () => {
    expect(tokenizeWords('we use 3D CNNs (2019) on H2O, a x-ray set')).toEqual(['we', 'use', '3d', 'cnns', 'on', 'h2o', 'ray', 'set']);
  });

  it('emits maths markers when asked', () => {
    expect(tokenizeWords('$x^2_i = y$', { symbols: true })).toEqual(['$', '^', '_', '=', '$']);
  });

  it('tokenises a real abstract as expected', () => {
    const abstract = train.find((d) => d.id === '1504.0493800000002')!.text;
    const tokens = tokenizeWords(normalizeText(abstract));
    expect(tokens.slice(0, 12)).toEqual(['let', 'be', 'an', 'undirected', 'graph', 'with', 'measure', 'function', 'mu', 'assigning', 'non', 'negative']);
    expect(tokens).toContain('clique');
  });
});

describe('Analyzer', () => {
  it('produces exactly tokenizeWords(normalizeText(text)) on real abstracts', () => {
    const analyzer = new Analyzer({ stem: false, stopWords: false, symbols: true });
    for (const doc of train.slice(0, 100)) {
      expect(analyzer.termStrings(doc.text)).toEqual(tokenizeWords(normalizeText(doc.text), { symbols: true }));
    }
  });

  it('stems and drops stop words, and a frozen analyzer maps unknown words to -1', () => {
    const open = new Analyzer({ stem: true, stopWords: true, symbols: false });
    expect(open.termStrings('The networks are generalizing')).toEqual(['network', 'gener']);
    expect(Array.from(open.termIds('the networks'))).toEqual([STOP, 0]);
    const frozen = new Analyzer(open.config, open.terms);
    expect(Array.from(frozen.termIds('networks of galaxies'))).toEqual([0, STOP, -1]);
  });

  it('uses natural’s stop list', () => {
    expect(ENGLISH_STOP_WORDS.has('the')).toBe(true);
    expect(ENGLISH_STOP_WORDS.size).toBe(170);
    expect(porterStem('relational')).toBe('relat');
  });
});

describe('WordScanner on non-ASCII text', () => {
  // The scanner reads UTF-8 bytes and decodes non-ASCII sequences back to UTF-16 code units; these
  // cover 2-byte (é, ß, α), 3-byte (ﬁ ligature, €, CJK), 4-byte (maths italic 𝑥, emoji: surrogate
  // pairs, each half a separator), combining marks and a lone surrogate (U+FFFD in UTF-8).
  const cases = [
    'Schrödinger équation für Straße, α-decay and β-functions',
    'eﬃcient ﬁnite-size scaling costs 5€ in 東京 (Tōkyō)',
    'the 𝑥-axis and 🚀 launches: e\u0301nergy, na\u0308ive',
    'broken \ud800 surrogate and µ-meson at 10² kelvin, m²s',
  ];
  it('gives exactly tokenizeWords(normalizeText(text))', () => {
    const analyzer = new Analyzer({ stem: false, stopWords: false, symbols: true });
    for (const text of cases) expect(analyzer.termStrings(text)).toEqual(tokenizeWords(normalizeText(text), { symbols: true }));
    expect(analyzer.termStrings(cases[0]!)).toEqual(['schrodinger', 'equation', 'fur', 'strasse', 'alpha', 'decay', 'and', 'beta', 'functions']);
    expect(analyzer.termStrings(cases[1]!)).toEqual(['efficient', 'finite', 'size', 'scaling', 'costs', 'in', 'tokyo']);
    expect(analyzer.termStrings(cases[2]!)).toEqual(['the', 'axis', 'and', 'launches', 'energy', 'naive']);
    expect(analyzer.termStrings(cases[3]!)).toEqual(['broken', 'surrogate', 'and', 'mu', 'meson', 'at', 'kelvin', 'm2s']);
  });
});
