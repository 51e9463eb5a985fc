/**
 * The document key and value kind of every `keyword value` statement, per kind of block. The
 * grammar fixes which keywords a block accepts; these tables say what each one sets.
 */
import type { TokenType } from "chevrotain";
import * as t from "../../../grammar/tokens.ts";
import type { SettingKeys, ValueKind } from "./build-values.ts";

type Row = readonly [TokenType, string, ValueKind];
const keys = (...rows: Row[]): SettingKeys =>
  new Map(rows.map(([token, key, kind]) => [token, [key, kind] as const]));

/** Settings the project (bounds) and tunnels (requests) share. */
const edge: Row[] = [
  [t.TrustedIps, "trusted_ips", "list"],
  [t.GeoIp, "geo_ip", "list"],
  [t.TlsMin, "tls_min_version", "word"],
  [t.Ech, "ech", "word"],
];

export const projectKeys = keys(
  [t.Name, "name", "string"],
  [t.Workspace, "workspace", "string"],
  [t.Plan, "plan", "word"],
  [t.PublicAccess, "public_access", "word"],
  ...edge,
);

export const tunnelKeys = keys(
  [t.Name, "name", "string"],
  [t.Protocol, "protocol", "word"],
  [t.Hosts, "hostname", "list"],
  [t.Upstream, "upstream", "string"],
  [t.TokenAuth, "token_auth", "bool"],
  [t.RstreamAuth, "rstream_auth", "bool"],
  [t.Challenge, "challenge_mode", "bool"],
  [t.ForwardAuthorization, "forward_authorization", "bool"],
  ...edge,
);

export const allowUsersKeys = keys(
  [t.Emails, "emails", "list"],
  [t.Domains, "domains", "list"],
  [t.Groups, "groups", "list"],
);

export const membersKeys = keys([t.Users, "users", "list"], [t.Clients, "clients", "list"]);

export const grantKeys = keys(
  [t.Type, "type", "word"],
  [t.Parent, "parent", "string"],
  [t.Expires, "expires_at", "string"],
  [t.Permissions, "permissions", "list"],
);

export const scopeKeys = keys(
  [t.Workspaces, "workspaces", "list"],
  [t.Projects, "projects", "list"],
);

export const credentialKeys = keys(
  [t.SubjectCn, "subject_cn", "string"],
  [t.Fingerprint, "fingerprint256", "string"],
  [t.Grant, "grant", "string"],
);

export const requestDetailKeys = keys([t.Challenge, "challenge_cookie", "word"]);

export const sessionKeys = keys(
  [t.User, "user_id", "string"],
  [t.Email, "email", "string"],
  [t.Name, "name", "string"],
  [t.Groups, "groups", "list"],
);

export const tlsKeys = keys(
  [t.Version, "version", "word"],
  [t.Group, "group", "string"],
  [t.Ech, "ech", "bool"],
  [t.ClientCert, "client_cert", "string"],
);
