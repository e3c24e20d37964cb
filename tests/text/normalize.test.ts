import { describe, expect, it } from 'vitest';
import { cleanMarkup, foldChar, normalizeText } from '../../core/text/normalize.ts';

describe('normalizeText', () => {
  it('folds TeX accents and Unicode diacritics to the same word', () => {
    for (const s of ['Schr\\"odinger', 'Schr\\"{o}dinger', 'Schr{\\"o}dinger', 'Schrödinger', 'Schro\u0308dinger']) {
      expect(normalizeText(s)).toBe('schrodinger');
    }
    expect(normalizeText("Poincar\\'e and \\v{S}ilov, Erd\\H{o}s, Ørsted, Straße")).toBe('poincare and silov, erdos, orsted, strasse');
  });

  it('turns LaTeX commands into words and drops formatting commands', () => {
    expect(normalizeText('$\\alpha$-stable $\\mathcal{O}(n^2)$ \\emph{very} fast')).toBe('$ alpha $-stable $ {o}(n^2)$  {very} fast');
  });

  it('keeps \\vec as a command, not as a caron accent on e', () => {
    expect(normalizeText('$\\vec{x}$')).toContain('vec');
  });

  it('writes Greek letters as their LaTeX names and expands ligatures', () => {
    expect(normalizeText('α-decay of ﬁnite Ω')).toBe(' alpha -decay of finite  omega ');
  });

  it('removes URLs and e-mail addresses', () => {
    expect(normalizeText('Code at https://github.com/x/y.git and www.example.org, mail a.b@c.edu.')).toBe('code at   and   mail  ');
  });

  it('joins words hyphenated across a line break but not compounds on one line', () => {
    expect(normalizeText('a simu-\n  lation of state-of-the-art')).toBe('a simulation of state-of-the-art');
  });
});

describe('cleanMarkup', () => {
  it('keeps case and non-ASCII characters (the scanner folds them)', () => {
    expect(cleanMarkup('Über \\alpha')).toBe('Über  alpha ');
  });
});

describe('foldChar', () => {
  it('drops combining marks, separates symbols', () => {
    expect(foldChar(0x0301)).toBe('');
    expect(foldChar('≤'.charCodeAt(0))).toBe(' ');
    expect(foldChar('²'.charCodeAt(0))).toBe('2');
  });
});
