/**
 * The rstream Auth allow-list (emails, email domains, groups) as Sets built once per tunnel.
 * Emails and domains compare case-insensitively, groups exactly; no list, or empty lists,
 * allow every signed-in user.
 */
import type { SessionFacts } from "../../ir/facts.ts";
import type { SessionAllowIr } from "../../ir/types.ts";

/** Whether a signed-in user is allowed. */
export type SessionPredicate = (session: SessionFacts) => boolean;

/** Compiles a tunnel's allowed users. */
export function compileSessionAllow(allow: SessionAllowIr | null): SessionPredicate {
  if (
    allow === null ||
    (allow.emails.length === 0 && allow.domains.length === 0 && allow.groups.length === 0)
  ) {
    return () => true;
  }
  const emails = new Set(allow.emails.map((e) => e.toLowerCase()));
  const domains = new Set(allow.domains.map((d) => d.toLowerCase()));
  const groups = new Set(allow.groups);
  return (session) => {
    const email = session.email?.toLowerCase() ?? null;
    if (email !== null && emails.has(email)) return true;
    if (
      email !== null &&
      email.includes("@") &&
      domains.has(email.slice(email.lastIndexOf("@") + 1))
    )
      return true;
    return session.groups.some((g) => groups.has(g));
  };
}
