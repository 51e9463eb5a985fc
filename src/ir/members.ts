/**
 * How a project member is compared (S-T8): a user entry with an `@` is an e-mail address,
 * compared case-insensitively; ids and client ids compare exactly.
 */
export function memberKey(entry: string): string {
  return entry.includes("@") ? entry.toLowerCase() : entry;
}
