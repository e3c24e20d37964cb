/**
 * A candidate spec names an unknown trainer kind or carries an unknown or invalid parameter.
 * Permanent: retrying the same spec cannot succeed.
 */
export class UnknownCandidateError extends Error {
  override name = 'UnknownCandidateError';
}
