import { pipelineCpuMicros } from "./test/bench/proxy-pipeline.ts";
const out: string[] = [];
for (const o of ["none", "observer", "access-log"] as const) out.push(`${o} ${(await pipelineCpuMicros(true, 100_000, 5, o)).toFixed(2)}`);
console.log(out.join(" | "));
