// natural 8.1.1 ships types only for its main entry, and importing that entry loads database
// clients and runs dotenv. These declarations type the CommonJS submodules we import directly
// (the stop list in core/text; the stemmer, tokenizer and TfIdf only in tests and bench/text.ts).
declare module 'natural/lib/natural/stemmers/porter_stemmer.js' {
  const PorterStemmer: { stem(token: string): string };
  export default PorterStemmer;
}
declare module 'natural/lib/natural/util/stopwords.js' {
  const stopwords: { words: string[] };
  export default stopwords;
}
declare module 'natural/lib/natural/tokenizers/regexp_tokenizer.js' {
  export class WordTokenizer {
    tokenize(text: string): string[];
  }
}
declare module 'natural/lib/natural/tfidf/tfidf.js' {
  export default class TfIdf {
    documents: Record<string, number>[];
    addDocument(document: string | string[], key?: string): void;
    idf(term: string): number;
    listTerms(d: number): { term: string; tf: number; idf: number; tfidf: number }[];
  }
}
