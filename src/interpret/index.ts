/** The reference interpreter: the oracle for compiled decisions. */
export { interpret, interpretRequest } from "./request.ts";
export { isBrowserNavigation, isSafeNavigation } from "../ir/navigation.ts";
export { interpretHandshake } from "./handshake.ts";
export { grantAllows, ACTION_PERMISSION } from "./grant-allows.ts";
export type { GrantAction } from "./grant-allows.ts";
export { filterMatches } from "../bounds/tunnel-filter.ts";
export { stringMatches } from "../bounds/kinds/string-match.ts";
export { hostMatches, routeRequest, routeServerName } from "./route.ts";
export type { TraceStep } from "./trace.ts";
export { interpretCreate, interpretList, interpretWatch, nodeListFields } from "./control-plane.ts";
export { interpretConnection } from "./connection.ts";
