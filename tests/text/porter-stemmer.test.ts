import PorterStemmer from 'natural/lib/natural/stemmers/porter_stemmer.js';
import { describe, expect, it } from 'vitest';
import { normalizeText } from '../../core/text/normalize.ts';
import { porterStem } from '../../core/text/porter-stemmer.ts';
import { tokenizeWords } from '../../core/text/tokenize.ts';
import { loadArchives5Small } from '../ml/fixture.ts';

describe('porterStem', () => {
  it('gives natural’s stem for every word of 300 real abstracts', () => {
    const { train, test } = loadArchives5Small();
    const words = new Set<string>();
    for (const d of [...train, ...test]) for (const w of tokenizeWords(normalizeText(d.text))) words.add(w);
    expect(words.size).toBeGreaterThan(5000);
    const mismatches = [...words].filter((w) => porterStem(w) !== PorterStemmer.stem(w));
    expect(mismatches).toEqual([]);
  });

  it('keeps natural’s quirks on classic Porter examples', () => {
    const words = ['caresses', 'ponies', 'caress', 'cats', 'feed', 'agreed', 'plastered', 'bled', 'motoring', 'sing', 'conflated',
      'troubled', 'sized', 'hopping', 'tanned', 'falling', 'hissing', 'fizzed', 'failing', 'filing', 'happy', 'sky', 'relational',
      'conditional', 'rational', 'valenci', 'hesitanci', 'digitizer', 'conformabli', 'radicalli', 'differentli', 'vileli', 'analogousli',
      'vietnamization', 'predication', 'operator', 'feudalism', 'decisiveness', 'hopefulness', 'callousness', 'formaliti',
      'sensitiviti', 'sensibiliti', 'triplicate', 'formative', 'formalize', 'electriciti', 'electrical', 'hopeful', 'goodness',
      'revival', 'allowance', 'inference', 'airliner', 'gyroscopic', 'adjustable', 'defensible', 'irritant', 'replacement',
      'adjustment', 'dependent', 'adoption', 'homologou', 'communism', 'activate', 'angulariti', 'homologous', 'effective',
      'bowdlerize', 'probate', 'rate', 'cease', 'controll', 'roll', 'generalizations', 'oscillators', 'y', 'by', 'sys', 'yyy'];
    for (const w of words) expect(porterStem(w), w).toBe(PorterStemmer.stem(w));
  });
});
