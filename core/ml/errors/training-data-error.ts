/**
 * The training documents cannot train a classifier (fewer than two labels, empty texts, no
 * vocabulary). Permanent for this data set: retrying does not help.
 */
export class TrainingDataError extends Error {
  override name = 'TrainingDataError';
}
