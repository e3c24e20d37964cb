/**
 * Compressed sparse row matrix on typed arrays: row i holds the entries
 * `indices[indptr[i] .. indptr[i+1])` with values `data[...]` at the same positions.
 * Values are float32 (TF-IDF weights need no more), which halves memory against float64.
 */
export interface CsrMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly data: Float32Array;
}

/** Growable builder for a CSR matrix, filled row by row. */
export class CsrBuilder {
  private indices: Int32Array;
  private data: Float32Array;
  private nnz = 0;
  private readonly indptr: number[] = [0];

  constructor(private readonly cols: number, initialCapacity = 1 << 16) {
    this.indices = new Int32Array(initialCapacity);
    this.data = new Float32Array(initialCapacity);
  }

  /** Appends one row from parallel arrays of column indices and values (the first `length`). */
  pushRow(cols: ArrayLike<number>, values: ArrayLike<number>, length: number): void {
    this.reserve(this.nnz + length);
    for (let k = 0; k < length; k++) {
      this.indices[this.nnz + k] = cols[k]!;
      this.data[this.nnz + k] = values[k]!;
    }
    this.nnz += length;
    this.indptr.push(this.nnz);
  }

  build(): CsrMatrix {
    return {
      rows: this.indptr.length - 1,
      cols: this.cols,
      indptr: Int32Array.from(this.indptr),
      indices: this.indices.slice(0, this.nnz),
      data: this.data.slice(0, this.nnz),
    };
  }

  private reserve(capacity: number): void {
    if (capacity <= this.indices.length) return;
    let size = this.indices.length * 2;
    while (size < capacity) size *= 2;
    const indices = new Int32Array(size);
    indices.set(this.indices.subarray(0, this.nnz));
    const data = new Float32Array(size);
    data.set(this.data.subarray(0, this.nnz));
    this.indices = indices;
    this.data = data;
  }
}

/** The rows `rows` of `x`, in that order, as a new matrix. */
export function selectRows(x: CsrMatrix, rows: ArrayLike<number>): CsrMatrix {
  let nnz = 0;
  for (let r = 0; r < rows.length; r++) nnz += x.indptr[rows[r]! + 1]! - x.indptr[rows[r]!]!;
  const indptr = new Int32Array(rows.length + 1);
  const indices = new Int32Array(nnz);
  const data = new Float32Array(nnz);
  let at = 0;
  for (let r = 0; r < rows.length; r++) {
    const start = x.indptr[rows[r]!]!;
    const end = x.indptr[rows[r]! + 1]!;
    indices.set(x.indices.subarray(start, end), at);
    data.set(x.data.subarray(start, end), at);
    at += end - start;
    indptr[r + 1] = at;
  }
  return { rows: rows.length, cols: x.cols, indptr, indices, data };
}
