/** The constants that identify a decision bundle; shared by the writer and the loader. */

/** The `format` field of every bundle. */
export const BUNDLE_FORMAT = "rampart-bundle";

/**
 * The payload layout version. Bump it whenever the payload changes shape or meaning (a new
 * IR field, a changed default): a loader refuses every version but its own, so a runtime
 * never decides with a policy it reads differently from the compiler that wrote it.
 * Version 2 added the payload's `shared` table of repeated objects and arrays.
 */
export const BUNDLE_FORMAT_VERSION = 2;

/** Names the writer, for people reading a bundle; loading does not depend on it. */
export const GENERATOR = "rampart-compiler 0.1.0 (closures)";
