/** The constants that identify a decision bundle; shared by the writer and the loader. */

/** The `format` field of every bundle. */
export const BUNDLE_FORMAT = "rampart-bundle";

/**
 * The payload layout version the writer writes. Bump it whenever the payload changes shape or
 * meaning (a new IR field, a changed default): a loader refuses every version it does not
 * list in `READABLE_BUNDLE_FORMAT_VERSIONS`, so a runtime never decides with a policy it reads
 * differently from the compiler that wrote it.
 * Version 2 added the payload's `shared` table of repeated objects and arrays; version 3 writes
 * the policies' spans as `[file, start, end]` tuples, the file an index into a `files` table
 * (a third of the text and of the distinct values were spans: issue #19).
 */
export const BUNDLE_FORMAT_VERSION = 3 as const;

/** The versions a loader reads: its own, and version 2 (spans as objects, no `files`). */
export const READABLE_BUNDLE_FORMAT_VERSIONS: readonly number[] = [2, 3];

/** Names the writer, for people reading a bundle; loading does not depend on it. */
export const GENERATOR = "rampart-compiler 0.1.0 (closures)";
