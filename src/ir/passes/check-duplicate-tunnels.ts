/** Tunnel ids and names are unique in a project: grants and private clients name tunnels by them. */
import { duplicate } from "../semantic-diagnostics.ts";
import type { Pass } from "./pass.ts";

export const checkDuplicateTunnels: Pass = {
  name: "check-duplicate-tunnels",
  run: ({ ir, ctx, tunnels: index }) => {
    const { ids, names } = index;
    const tunnels = ir.tunnels;
    // Every repeat of an id, then of a name, in document order, each pointing at the first.
    if (ids.size < tunnels.length) {
      for (let i = 0; i < tunnels.length; i++) {
        // SAFETY: i < tunnels.length, the loop's bound.
        const id = (tunnels[i] as (typeof tunnels)[number]).id;
        // SAFETY: the index holds every tunnel's id.
        const first = ids.get(id) as number;
        if (first === i) continue;
        const span = ctx.span(`/tunnels/${i}/id`);
        ctx.report(duplicate("RP3101", span, "tunnel id", id, ctx.span(`/tunnels/${first}/id`)));
      }
    }
    // Every name in the table once: no name is repeated (HOT PATH: the usual answer).
    if (names.size === index.named) return;
    for (let i = 0; i < tunnels.length; i++) {
      // SAFETY: i < tunnels.length, the loop's bound.
      const name = (tunnels[i] as (typeof tunnels)[number]).name;
      if (name === null) continue;
      // SAFETY: the index holds every tunnel's name.
      const first = names.get(name) as number;
      if (first === i) continue;
      const span = ctx.span(`/tunnels/${i}/name`);
      ctx.report(
        duplicate("RP3102", span, "tunnel name", name, ctx.span(`/tunnels/${first}/name`)),
      );
    }
  },
};
