/**
 * The fields a tunnel filter can name, by kind: the lowering builds conjunctions in this order,
 * and a bundle's shape check accepts exactly these, so that a field a policy's filter can name
 * always loads back from its bundle. Type imports only: the decision entry loads it without
 * the parser.
 */
import type { BooleanField, StringField } from "./types.ts";

/** Every string field a filter can name, in the order a conjunction is built (bundles check it). */
export const STRING_FIELDS: readonly StringField[] = [
  "id",
  "name",
  "protocol",
  "hostname",
  "status",
  "tls_min_version",
  "type",
  "http_version",
  "client_id",
  "user_id",
  // Platform tunnel fields a token's filter may name (policy files do not): decided from the
  // tunnel's project, workspace and protocol.
  "project_id",
  "workspace_id",
  "tls_mode",
];
/** Every boolean field a filter can name. */
export const BOOLEAN_FIELDS: readonly BooleanField[] = [
  "publish",
  "token_auth",
  "rstream_auth",
  "challenge_mode",
  "mtls_auth",
];
