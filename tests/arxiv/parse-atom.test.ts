import { readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ArxivQueryError, MalformedFeedError } from '../../core/arxiv/errors.ts';
import { parseAtomFeed } from '../../core/arxiv/parse-atom.ts';
import { ATOM_FIXTURES_DIR, readAtomFixture, renderAtomEntry, renderAtomFeed } from '../helpers/arxiv-replay-server.ts';

const fixtures = readdirSync(ATOM_FIXTURES_DIR).filter((n) => n.endsWith('.xml')).sort();

describe('parseAtomFeed on every recording', () => {
  test('there are 24 recordings', () => {
    expect(fixtures).toHaveLength(24);
  });

  // Expected [totalResults, startIndex, itemsPerPage, papers] per file; the error feed throws.
  const expected: Record<string, [number, number, number, number] | 'error'> = {
    id_0000: [0, 0, 100, 0],
    'id_0808.05394_1707': [1, 0, 100, 1],
    'id_0808.05394_s0': [0, 0, 100, 0],
    'id_1605.08386': [1, 0, 100, 1],
    'id_1707.08567_s0': [1, 0, 100, 1],
    'id_2104.12255v1': [1, 0, 100, 1],
    id_abc: 'error',
    'id_astro-ph': [1, 0, 100, 1],
    'id_list=1111.2011v2': [1, 0, 10, 1],
    'id_quant-ph': [1, 0, 100, 1],
    q_testing_s0_m100: [214_881, 0, 100, 100],
    q_testing_s0_m10_: [214_881, 0, 10, 10],
    q_testing_s0_m15: [214_881, 0, 15, 15],
    q_testing_s10_m10: [214_881, 10, 10, 10],
    q_testing_s20_m10: [214_881, 20, 10, 10],
    q_testing_s30_m10: [214_881, 30, 10, 10],
    q_testing_s40_m10: [214_881, 40, 10, 10],
    q_testing_s50_m10: [214_881, 50, 10, 10],
    q_testing_s5_m10: [214_881, 5, 10, 10],
    q_testing_s5_m15: [214_881, 5, 15, 15],
    q_testing_s9_m15: [214_881, 9, 15, 15],
    'ti_checkerboard': [1, 0, 10, 1],
    'ti_quantum+criticality': [2, 0, 10, 2],
    'search_query=au_del_maestro.xml': [31, 0, 10, 10],
  };

  test.each(fixtures)('%s', (name) => {
    const key = Object.keys(expected).filter((k) => name.includes(k));
    expect(key, `exactly one expectation matches ${name}`).toHaveLength(1);
    const want = expected[key[0]!]!;
    const xml = readAtomFixture(name);
    if (want === 'error') {
      expect(() => parseAtomFeed(xml)).toThrow(ArxivQueryError);
      return;
    }
    const feed = parseAtomFeed(xml);
    expect([feed.totalResults, feed.startIndex, feed.itemsPerPage, feed.papers.length]).toEqual(want);
    expect(feed.rejected).toEqual([]);
    for (const paper of feed.papers) {
      // Invariants of SourcePaper every source must keep.
      expect(paper.id).toMatch(/^(\d{4}\.\d{4,5}|[a-z-]+\/\d{7})$/);
      expect(paper.version).toBeGreaterThanOrEqual(1);
      expect(paper.title).toBe(paper.title.replace(/\s+/g, ' ').trim());
      expect(paper.abstract).toBe(paper.abstract.replace(/\s+/g, ' ').trim());
      expect(paper.abstract.length).toBeGreaterThan(0);
      expect(paper.categories[0]).toBe(paper.primaryCategory);
      expect(new Set(paper.categories).size).toBe(paper.categories.length);
      expect(paper.published).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
      expect(paper.updated >= paper.published).toBe(true);
      expect(paper.authors.length).toBeGreaterThan(0);
      // No double-encoded UTF-8 survives.
      expect(JSON.stringify(paper)).not.toMatch(/Ã[\u0080-\u00BF]|Î[\u0080-\u00BF]|Ï[\u0080-\u00BF]/);
    }
  });
});

describe('parseAtomFeed, exact fields (current format)', () => {
  test('single paper with journal reference, comment, affiliations and an old-style id', () => {
    const feed = parseAtomFeed(readAtomFixture('id_astro-ph_0601001'));
    const paper = feed.papers[0]!;
    expect(paper).toMatchObject({
      id: 'astro-ph/0601001',
      version: 1,
      title: 'Frequency of Hot Jupiters and Very Hot Jupiters from the OGLE-III Transit Surveys Toward the Galactic Bulge and Carina',
      primaryCategory: 'astro-ph',
      categories: ['astro-ph'],
      published: '2006-01-02T14:57:58.000Z',
      updated: '2006-01-02T14:57:58.000Z',
      doi: null,
      journalRef: 'ActaAstron.56:1-50,2006',
      comment:
        '62 pages including 16 figures and 9 tables. Submitted to Acta Astronomica. Full resolution version at http://www.astronomy.ohio-state.edu/~gould/ogle_hot_jupiters.ps.gz',
    });
    expect(paper.authors).toEqual([
      { name: 'Andrew Gould', affiliations: ['Ohio State'] },
      { name: 'Susan Dorsher', affiliations: ['Ohio State'] },
      { name: 'B. Scott Gaudi', affiliations: ['CfA'] },
      { name: 'Andrzej Udalski', affiliations: ['Warsaw University Observatory'] },
    ]);
    // Leading spaces gone, entities decoded.
    expect(paper.abstract.startsWith('We derive the frequencies of hot Jupiters (HJs)')).toBe(true);
    expect(paper.abstract).toContain('following Gould & Morgan (2003)');
    expect(paper.abstract).toContain('limit of V_max<17.5.');
    expect(paper.links).toEqual([
      { href: 'https://arxiv.org/abs/astro-ph/0601001v1', rel: 'alternate', type: 'text/html' },
      { href: 'https://arxiv.org/pdf/astro-ph/0601001v1', rel: 'related', type: 'application/pdf', title: 'pdf' },
    ]);
  });

  test('old-style id with version and a cross-list', () => {
    const paper = parseAtomFeed(readAtomFixture('id_quant-ph_0201082v1')).papers[0]!;
    expect(paper).toMatchObject({
      id: 'quant-ph/0201082',
      version: 1,
      primaryCategory: 'quant-ph',
      categories: ['quant-ph', 'cs.PL'],
      comment: '32 pages',
      journalRef: null,
      authors: [{ name: 'Stephen Blaha', affiliations: [] }],
    });
  });

  test('a title that is a bare number stays a string', () => {
    const paper = parseAtomFeed(readAtomFixture('id_2104.12255v1')).papers[0]!;
    expect(paper).toMatchObject({ id: '2104.12255', version: 1, title: '0', primaryCategory: 'cs.CR', comment: null, doi: null });
    expect(paper.abstract).toMatch(/^What is the funniest number in cryptography\? 0\. /);
    expect(paper.abstract).toContain('awarded $35,000 in total');
  });

  test('34 authors in order, with the double-encoded name repaired', () => {
    const feed = parseAtomFeed(readAtomFixture('id_0808.05394_1707.08567'));
    expect(feed.totalResults).toBe(1); // 0808.05394 does not exist
    const paper = feed.papers[0]!;
    expect(paper.id).toBe('1707.08567');
    expect(paper.authors).toHaveLength(34);
    expect(paper.authors[0]).toEqual({ name: 'Kees A. Schouhamer Immink', affiliations: [] });
    expect(paper.authors[32]).toEqual({ name: 'Dirk Wübben', affiliations: [] });
    expect(paper.authors[33]!.name).toBe('Hirosuke Yamamoto');
    expect(paper.comment).toBe('44 pages, editors for the proceedings: Yanling Chen and A. J. Han Vinck');
  });

  test('search page: DOI after the authors, several categories, version > 1', () => {
    const feed = parseAtomFeed(readAtomFixture('q_testing_s0_m10_'));
    const first = feed.papers[0]!;
    expect(first).toMatchObject({
      id: '2202.12139',
      version: 1,
      title: 'Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques',
      primaryCategory: 'cs.SE',
      categories: ['cs.SE', 'cs.LG'],
      published: '2022-02-24T15:05:19.000Z',
      doi: '10.1109/ICSTW55395.2022.00035',
      journalRef:
        'Artificial Intelligence in Software Testing @ 2022 IEEE International Conference on Software Testing, Verification and Validation Workshops (ICSTW)',
      comment: 'Artificial Intelligence in Software Testing 2022 workshop @ ICST 2022',
    });
    expect(first.authors.map((a) => a.name)).toEqual(['Mohit Kumar Ahuja', 'Arnaud Gotlieb', 'Helge Spieker']);
    expect(first.links).toContainEqual({ href: 'https://doi.org/10.1109/ICSTW55395.2022.00035', rel: 'related', title: 'doi' });
    expect(feed.papers[1]!.authors.map((a) => a.name)).toEqual(['Aurora Ramírez', 'Mario Berrios', 'José Raúl Romero', 'Robert Feldt']);
    expect(feed.papers.map((p) => `${p.id}v${p.version}`)).toEqual([
      '2202.12139v1', '2405.13786v1', '2005.14124v2', '2204.08348v3', '2302.03287v3',
      '1202.4527v1', '2503.05378v2', '1205.1866v1', '2502.07719v2', '1812.11470v1',
    ]);
    const revised = feed.papers[3]!;
    expect(revised.updated > revised.published).toBe(true);
  });

  test('an old-style id on a search page', () => {
    const paper = parseAtomFeed(readAtomFixture('q_testing_s50_m10')).papers.find((p) => p.id === 'cs/0503050')!;
    expect(paper).toMatchObject({
      version: 1,
      title: 'Systematic Method for Path-Complete White Box Testing',
      primaryCategory: 'cs.SE',
      published: '2005-03-21T21:26:48.000Z',
    });
    // A line break inside the abstract becomes one space.
    expect(paper.abstract).toContain('substitute action arrows. The number of independent paths');
  });
});

describe('parseAtomFeed, exact fields (classic format)', () => {
  test('id lookup with DOI, journal reference and namespaces repeated inline', () => {
    const feed = parseAtomFeed(readAtomFixture('id_list=1111.2011v2'));
    expect(feed).toMatchObject({ totalResults: 1, startIndex: 0, itemsPerPage: 10, rejected: [] });
    const paper = feed.papers[0]!;
    expect(paper).toMatchObject({
      id: '1111.2011',
      version: 2,
      title: 'Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit',
      primaryCategory: 'cond-mat.str-el',
      categories: ['cond-mat.str-el', 'cond-mat.stat-mech'],
      published: '2011-11-08T18:48:36.000Z',
      updated: '2012-04-02T12:38:54.000Z',
      doi: '10.1103/PhysRevB.85.115117',
      journalRef: 'Phys. Rev. B 85, 115117 (2012)',
      comment: '8 pages, 3 figures. Published version',
      authors: [
        { name: 'James M. Murray', affiliations: [] },
        { name: 'Adrian Del Maestro', affiliations: [] },
        { name: 'Zlatko Tesanovic', affiliations: [] },
      ],
    });
    expect(paper.abstract.startsWith('Theoretical description of anisotropic systems, such as layered superconductors and coupled')).toBe(true);
    expect(paper.abstract.endsWith('adding a single extra dimension to the theory describing a single node.')).toBe(true);
    expect(paper.links).toEqual([
      { href: 'http://dx.doi.org/10.1103/PhysRevB.85.115117', rel: 'related', title: 'doi' },
      { href: 'http://arxiv.org/abs/1111.2011v2', rel: 'alternate', type: 'text/html' },
      { href: 'http://arxiv.org/pdf/1111.2011v2', rel: 'related', type: 'application/pdf', title: 'pdf' },
    ]);
  });

  test('author search: old- and new-style ids, wrapped titles', () => {
    const feed = parseAtomFeed(readAtomFixture('search_query=au_del_maestro.xml'));
    expect(feed.totalResults).toBe(31);
    expect(feed.papers.map((p) => `${p.id}v${p.version}`)).toEqual([
      '1201.4869v1', 'cond-mat/0412498v1', 'cond-mat/0603029v1', '1005.5383v1', '1303.6954v2',
      '1312.6177v1', '1412.6529v2', 'cond-mat/0607501v2', 'cond-mat/0702661v2', '0807.2873v1',
    ]);
    const checkerboard = feed.papers[2]!;
    expect(checkerboard).toMatchObject({
      title: 'From stripe to checkerboard order on the square lattice in the presence of quenched disorder',
      doi: '10.1103/PhysRevB.74.024520',
      journalRef: 'Phys. Rev. B 74, 024520 (2006)',
      comment: '10 pages, 11 figures; added reference',
      categories: ['cond-mat.str-el', 'cond-mat.supr-con'],
      published: '2006-03-02T02:22:45.000Z',
    });
    expect(checkerboard.authors.map((a) => a.name)).toEqual(['Adrian Del Maestro', 'Bernd Rosenow', 'Subir Sachdev']);
  });
});

describe('parseAtomFeed, errors and rejected entries', () => {
  test('the error feed is a permanent ArxivQueryError naming the query and arXiv’s reason', () => {
    const xml = readAtomFixture('id_abc');
    let error: unknown;
    try {
      parseAtomFeed(xml, { query: 'id_list=abc', status: 400 });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ArxivQueryError);
    const e = error as ArxivQueryError;
    expect(e.retryable).toBe(false);
    expect(e.message).toBe('arXiv rejected the query id_list=abc: incorrect id format for abc');
    expect(e.errorId).toBe('https://arxiv.org/api/errors#incorrect_id_format_for_abc');
    expect(e.status).toBe(400);
  });

  test('truncated XML is a retryable MalformedFeedError', () => {
    const xml = readAtomFixture('q_testing_s0_m10_');
    const error = catchError(() => parseAtomFeed(xml.slice(0, Math.floor(xml.length / 2))));
    expect(error).toBeInstanceOf(MalformedFeedError);
    expect((error as MalformedFeedError).retryable).toBe(true);
  });

  test('a well-formed document that is not a feed, or lacks counters, is malformed', () => {
    expect(() => parseAtomFeed('<html><body>Service Unavailable</body></html>')).toThrow(/expected an Atom <feed>/);
    expect(() => parseAtomFeed('<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>')).toThrow(/opensearch:totalResults/);
    expect(() => parseAtomFeed('')).toThrow(MalformedFeedError);
  });

  test('an entry missing a required field is rejected with a reason and the rest are kept', () => {
    const good = renderAtomEntry({ id: '2401.00001v2', title: 'Good', categories: ['cs.LG', 'stat.ML'] });
    const noTitle = renderAtomEntry({ id: '2401.00002' }).replace(/<title>.*<\/title>/, '');
    const badId = renderAtomEntry({ id: '2401.00003' }).replace('<id>http://arxiv.org/abs/2401.00003v1</id>', '<id>urn:nothing</id>');
    const noPublished = renderAtomEntry({ id: '2401.00004' }).replace(/<published>.*<\/published>/, '');
    const badPublished = renderAtomEntry({ id: '2401.00005', published: 'yesterday' });
    const noAuthor = renderAtomEntry({ id: '2401.00006' }).replace(/<author>[\s\S]*<\/author>/, '');
    const noCategory = renderAtomEntry({ id: '2401.00007' }).replace(/<category[^>]*>|<arxiv:primary_category[^>]*>/g, '');
    const emptySummary = renderAtomEntry({ id: '2401.00008', abstract: '   ' });
    const warnings: unknown[] = [];
    const log = { debug() {}, info() {}, warn: (msg: string, meta?: Record<string, unknown>) => void warnings.push({ msg, ...meta }) };
    const feed = parseAtomFeed(
      renderAtomFeed({
        totalResults: 8,
        startIndex: 0,
        itemsPerPage: 10,
        entries: [noTitle, good, badId, noPublished, badPublished, noAuthor, noCategory, emptySummary],
      }),
      { log },
    );
    expect(feed.papers.map((p) => p.id)).toEqual(['2401.00001']);
    expect(feed.papers[0]).toMatchObject({ version: 2, categories: ['cs.LG', 'stat.ML'] });
    expect(feed.rejected).toEqual([
      { index: 0, id: '2401.00002', reason: 'missing or empty <title>' },
      { index: 2, id: null, reason: 'unrecognised arXiv id "urn:nothing"' },
      { index: 3, id: '2401.00004', reason: 'missing <published>' },
      { index: 4, id: '2401.00005', reason: 'invalid <published> "yesterday"' },
      { index: 5, id: '2401.00006', reason: 'no <author> with a <name>' },
      { index: 6, id: '2401.00007', reason: 'no primary category and no <category>' },
      { index: 7, id: '2401.00008', reason: 'missing or empty <summary>' },
    ]);
    expect(warnings).toHaveLength(7);
  });

  test('unknown elements and namespaces are ignored; character references are decoded', () => {
    const entry = renderAtomEntry({ id: '2401.00009', title: 'Caf&#233; &#x3B1;-tests' })
      .replace('<title>Caf&amp;#233; &amp;#x3B1;-tests</title>', '<title>Caf&#233;   &#x3B1;-tests\n  <![CDATA[& more]]></title>')
      .replace('</entry>', '  <media:thumbnail xmlns:media="http://search.yahoo.com/mrss/" url="x"><title>not this</title></media:thumbnail>\n    <foo>bar</foo>\n  </entry>');
    const feed = parseAtomFeed(renderAtomFeed({ totalResults: 1, startIndex: 0, itemsPerPage: 10, entries: [entry] }));
    expect(feed.rejected).toEqual([]);
    expect(feed.papers[0]!.title).toBe('Café α-tests & more');
  });

  test('a missing primary_category falls back to the first category; a bad <updated> to <published>', () => {
    const entry = renderAtomEntry({ id: 'math/0601001v3', categories: ['math.AG', 'math.NT'], published: '2006-01-01T00:00:00-05:00' })
      .replace(/<arxiv:primary_category[^>]*>/, '')
      .replace(/<updated>.*<\/updated>/, '<updated>soon</updated>');
    const paper = parseAtomFeed(renderAtomFeed({ totalResults: 1, startIndex: 0, itemsPerPage: 10, entries: [entry] })).papers[0]!;
    expect(paper).toMatchObject({
      id: 'math/0601001',
      version: 3,
      primaryCategory: 'math.AG',
      categories: ['math.AG', 'math.NT'],
      published: '2006-01-01T05:00:00.000Z',
      updated: '2006-01-01T05:00:00.000Z',
    });
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}
