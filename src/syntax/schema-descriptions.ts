/**
 * The `description` of every property in the generated policy JSON Schema, so an editor shows
 * what a key means as it completes it. Keyed by the schema name the property lives in (`$defs`
 * name, or `PolicyDocument` for the top level) and its path of property names; a property that
 * appears in several branches of a union shares one text. `schema.ts` applies the table as it
 * generates the schema; the schema test requires a text for every property and no stale key.
 */
export const PROPERTY_DESCRIPTIONS: Readonly<Record<string, string>> = {
  "PolicyDocument.$schema": "The schema this file follows, for editors.",
  "PolicyDocument.project":
    "The project: the bounds that every tunnel and token of it stays within.",
  "PolicyDocument.tunnels": "The tunnels the project publishes, each with its own access settings.",
  "PolicyDocument.grants": "Token grants: what a token minted with each may do.",
  "PolicyDocument.credentials": "Client-certificate credentials for mTLS, each mapped to a grant.",
  "PolicyDocument.tests": "Policy tests: requests and the decision each must get (`rampart test`).",

  "Project.id": "The project's identifier.",
  "Project.name": "A display name.",
  "Project.workspace": "The workspace the project belongs to.",
  "Project.plan": "The plan, which gates features: basic, pro or enterprise.",
  "Project.public_access":
    "Whether tunnels may be public: `allowed`, `auth-required` (public only with authentication) or `forbidden` (private only).",
  "Project.members":
    "Who belongs to the project: tokens of anyone else never reach its tunnels (unless a token's boundary names the project).",
  "Project.members.users": "User identifiers (`sub`/`userId` of pat and auth tokens).",
  "Project.members.clients": "Application client identifiers (`clientId` of app tokens).",
  "Project.trusted_ips":
    "Addresses and CIDRs that may reach any tunnel of the project; absent: any address.",
  "Project.geo_ip":
    "ISO 3166-1 alpha-2 country codes that may reach any tunnel; absent: any country.",
  "Project.tls_min_version": "The lowest TLS version any tunnel accepts.",
  "Project.post_quantum": "Post-quantum hybrid key exchange for every tunnel.",
  "Project.post_quantum.mode":
    "`off`, `preferred` (offered first) or `required` (only hybrid groups).",
  "Project.post_quantum.fips": "Only the NIST/FIPS P-256 and P-384 hybrids and fallbacks.",
  "Project.ech": "Encrypted ClientHello: `off`, `preferred` or `required`.",

  "Tunnel.id": "The tunnel's identifier, unique in the project.",
  "Tunnel.name": "A display name.",
  "Tunnel.labels": "Key-value labels, matched by grant filters.",
  "Tunnel.protocol": "What the tunnel carries: http, tls, tls-passthrough, dtls, quic or tcp.",
  "Tunnel.hostname": "The hosts the tunnel serves (exact or `*.` wildcard).",
  "Tunnel.publish": "Published on a public host (true, the default) or private.",
  "Tunnel.upstream": "The URL that allowed requests are forwarded to.",
  "Tunnel.token_auth": "Requests must carry a token whose grant allows them.",
  "Tunnel.rstream_auth": "Requests may authenticate with an rstream Auth (OpenID Connect) session.",
  "Tunnel.mtls_auth": "Clients must present a certificate from this CA.",
  "Tunnel.mtls_auth.ca":
    "Path of the PEM bundle of CAs that client certificates must chain to (relative to the policy file).",
  "Tunnel.challenge_mode": "Browsers solve a proof-of-work challenge before they reach the tunnel.",
  "Tunnel.forward_authorization":
    "Whether the `Authorization` header reaches the upstream (default: removed when it carried the edge token).",
  "Tunnel.rstream_auth_allow":
    "Which signed-in users rstream Auth lets through (empty or absent: any signed-in user).",
  "Tunnel.rstream_auth_allow.emails": "Exact e-mail addresses allowed.",
  "Tunnel.rstream_auth_allow.domains": "E-mail domains whose users are allowed.",
  "Tunnel.rstream_auth_allow.groups": "Groups whose members are allowed.",
  "Tunnel.trusted_ips":
    "Addresses and CIDRs that may reach this tunnel, within the project's trusted IPs.",
  "Tunnel.geo_ip": "Country codes that may reach this tunnel, within the project's.",
  "Tunnel.tls_min_version": "The lowest TLS version this tunnel accepts; at least the project's.",
  "Tunnel.post_quantum": "Post-quantum hybrid key exchange for this tunnel.",
  "Tunnel.post_quantum.mode":
    "`off`, `preferred` (offered first) or `required` (only hybrid groups).",
  "Tunnel.post_quantum.fips": "Only the NIST/FIPS P-256 and P-384 hybrids and fallbacks.",
  "Tunnel.ech": "Encrypted ClientHello: `off`, `preferred` or `required`.",

  "Grant.name": "The grant's name, which tokens and credentials refer to.",
  "Grant.type": "The token type it is for: pat, app or auth.",
  "Grant.parent": "The grant this one is derived from; it may only narrow it.",
  "Grant.expires_at": "RFC 3339 instant after which tokens with this grant are refused.",
  "Grant.permissions":
    "Platform permissions; `null` or absent: everything the owner has, an array narrows.",
  "Grant.resources": "The resources the grant reaches.",
  "Grant.resources.tunnels": "Which tunnels, and what may be done with them.",
  "GrantNode.AND": "Every one of these grant nodes must allow.",
  "GrantNode.OR": "At least one of these grant nodes must allow.",
  "GrantLeaf.workspaces": "Workspaces the grant applies to; absent: any of the owner's.",
  "GrantLeaf.projects": "Projects the grant applies to; absent: any of the owner's.",
  "GrantLeaf.scopes": "The actions granted; an action absent here is not granted.",
  "GrantLeaf.scopes.tunnels": "Actions on tunnels.",
  "GrantLeaf.scopes.tunnels.create":
    "Creating tunnels: true, false, or filters on their properties.",
  "GrantLeaf.scopes.tunnels.connect":
    "Connecting to tunnels: true, false, or filters selecting them and request parameters.",
  "GrantLeaf.scopes.tunnels.list": "Listing tunnels: true, false, or filters and fields to return.",
  "ScopeAction.filters": "The tunnels (or tunnel properties) the action is limited to.",
  "ScopeAction.params": "Limits on the HTTP requests of a connection.",
  "ScopeAction.params.path": "The request paths allowed (matched on the normalized path).",
  "ScopeAction.params.methods": "The HTTP methods allowed.",
  "ScopeAction.select": "The tunnel fields a listing returns.",
  "Filter.AND": "Every one of these filters must match.",
  "Filter.OR": "At least one of these filters must match.",
  "StringFilter.exact": "The value must equal this string.",
  "StringFilter.oneof": "The value must equal one of these strings.",
  "StringFilter.regex": "The value must match this regular expression (a linear-time subset).",
  "PathFilter.prefix": "The path must start with one of these prefixes.",
  "PathFilter.glob": "The path must match one of these globs (`*` one segment, `**` any depth).",

  "FieldFilters.id": "The tunnel's identifier.",
  "FieldFilters.name": "The tunnel's display name.",
  "FieldFilters.protocol": "The tunnel's protocol.",
  "FieldFilters.hostname": "The tunnel's host.",
  "FieldFilters.status": "The tunnel's status, such as `online`.",
  "FieldFilters.tls_min_version": "The tunnel's lowest TLS version.",
  "FieldFilters.labels": "The tunnel's labels, by key.",
  "FieldFilters.publish": "Whether the tunnel is public.",
  "FieldFilters.token_auth": "Whether the tunnel requires token authentication.",
  "FieldFilters.rstream_auth": "Whether the tunnel accepts rstream Auth sessions.",
  "FieldFilters.challenge_mode": "Whether the tunnel has challenge mode on.",
  "FieldFilters.mtls_auth": "Whether the tunnel requires client certificates.",
  "FieldFilters.trusted_ips": "Addresses and CIDRs the tunnel's trusted IPs must stay within.",
  "FieldFilters.type": "`bytestream` or `datagram`, decided from the tunnel's protocol.",
  "FieldFilters.http_version":
    "The upstream HTTP version; no tunnel of a policy declares it, so it never matches.",
  "FieldFilters.client_id":
    "The client that created the tunnel; unknown at the edge, so it never matches.",
  "FieldFilters.user_id":
    "The user who created the tunnel; unknown at the edge, so it never matches.",
  "FieldFilters.geo_ip": "Country codes the tunnel's GeoIP list must stay within.",

  "Credential.name": "The credential's name.",
  "Credential.subject_cn": "The certificate subject common name that maps to this credential.",
  "Credential.fingerprint256":
    "The certificate's SHA-256 fingerprint (hex, colons allowed) that maps to this credential.",
  "Credential.grant": "The grant a matching certificate carries.",

  "PolicyTest.name": "The test's name, shown in `rampart test` output.",
  "PolicyTest.request": "The request to decide.",
  "PolicyTest.expect": "The decision the request must get.",
  "PolicyTest.expect.outcome": "forward, deny, challenge, login or respond.",
  "PolicyTest.expect.status": "The HTTP status the engine answers with.",
  "PolicyTest.expect.reason": "The reason code of the decision.",
  "PolicyTest.expect.policy": "The kind of policy that decided: ip, geo, mtls, challenge or tls.",
  "TestRequest.method": "The HTTP method (default GET).",
  "TestRequest.url": "Absolute URL: scheme, tunnel host, path and query.",
  "TestRequest.client_ip": "The client's address.",
  "TestRequest.country": "The country GeoIP reports; absent: the address is not in the database.",
  "TestRequest.headers": "Request headers, by name.",
  "TestRequest.token": "A token the request carries.",
  "TestRequest.token.grant": "A valid token minted with this grant.",
  "TestRequest.token.in": "Where the token travels: the `Authorization` header or the query.",
  "TestRequest.token.invalid": "An invalid token, and why it is invalid.",
  "TestRequest.token.owner":
    "Whose token it is (S-T8): `{user}` (id or e-mail) or `{client}`. The project's members then decide; absent: a member's token.",
  "TestRequest.token.owner.user": "The owning user's id or e-mail.",
  "TestRequest.token.owner.client": "The owning application client's id.",
  "TestRequest.challenge_cookie": "The challenge cookie, valid or invalid.",
  "TestRequest.session": "An rstream Auth session the request carries.",
  "TestRequest.session.user_id": "The signed-in user's identifier.",
  "TestRequest.session.email": "The user's e-mail address.",
  "TestRequest.session.name": "The user's name.",
  "TestRequest.session.groups": "The user's groups.",
  "TestRequest.tls": "The TLS connection the request came over; absent: plain HTTP.",
  "TestRequest.tls.version": "The negotiated TLS version.",
  "TestRequest.tls.group": "The negotiated key-exchange group (OpenSSL name).",
  "TestRequest.tls.ech": "Whether the client used Encrypted ClientHello.",
  "TestRequest.tls.client_cert": "The credential whose certificate the client presented.",
};
