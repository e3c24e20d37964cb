// Filled in by the database test harness: prepares the migrated template database once per run.
export default async function setup(): Promise<void> {}
