import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { profileFromClaims } from "../../src/runtime/session/profile.ts";

const rules = { groupsClaim: "groups", requireVerifiedEmail: true };

describe("S-H4: the session user from IdP claims", () => {
  it("maps sub, name, verified email, picture and groups", () => {
    const user = profileFromClaims(
      {
        sub: "u1",
        name: "Ada",
        email: "ada@example.org",
        email_verified: true,
        picture: "https://img/ada.png",
        groups: ["staff", 7, ""],
      },
      rules,
    );
    assert.deepEqual(user, {
      userId: "u1",
      name: "Ada",
      email: "ada@example.org",
      image: "https://img/ada.png",
      groups: ["staff"],
    });
  });

  it("drops an unverified email so that it can never match an allow list", () => {
    assert.equal(
      profileFromClaims({ sub: "u1", email: "ceo@example.org", email_verified: false }, rules)
        .email,
      null,
    );
    assert.equal(profileFromClaims({ sub: "u1", email: "ceo@example.org" }, rules).email, null);
    assert.equal(
      profileFromClaims(
        { sub: "u1", email: "x@example.org" },
        { ...rules, requireVerifiedEmail: false },
      ).email,
      "x@example.org",
    );
  });

  it("reads groups from the configured claim, bounded", () => {
    const many = Array.from({ length: 100 }, (_, i) => `g${i}`);
    assert.deepEqual(
      profileFromClaims({ sub: "u", roles: ["admin"] }, { ...rules, groupsClaim: "roles" }).groups,
      ["admin"],
    );
    assert.equal(profileFromClaims({ sub: "u", groups: many }, rules).groups.length, 64);
    assert.deepEqual(profileFromClaims({ sub: "u", groups: "staff" }, rules).groups, []);
  });

  it("falls back to preferred_username for the name; missing values are null", () => {
    assert.deepEqual(profileFromClaims({ sub: "u", preferred_username: "ada" }, rules), {
      userId: "u",
      name: "ada",
      email: null,
      image: null,
      groups: [],
    });
  });
});
