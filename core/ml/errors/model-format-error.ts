/** Bytes are not a model artifact this code can read: bad magic, unknown version, bad checksum or truncation. */
export class ModelFormatError extends Error {
  override name = 'ModelFormatError';
}
